"""Door x entity x action: the exact audit records each service call writes.

Each case runs once per door (admin, admin action, GraphQL, management
command), as the service call that door makes, inside that door's audit
context. The record must carry the actor, the door, the entity and id, the
action, the changed fields with before/after, the region (RT, kelurahan,
kecamatan), the request id and the client address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import RequestFactory

from backend.accounts import services as accounts
from backend.audit import restore
from backend.audit.exports import audit_export
from backend.audit.models import Action, AuditEvent
from backend.audit.selectors import audit_list
from backend.audit.services import record_nik_revealed, snapshot
from backend.common.errors import DomainError
from backend.population import codes
from backend.population import services as population
from backend.population.age import today_wita
from backend.population.models import Household, Resident
from backend.population.synthetic import make_nik, make_no_kk
from tests.conftest import PASSWORD


@dataclass
class World:
    actors: object
    population: object
    regions: object

    @property
    def kr_rt1(self):
        return self.regions.rt(self.regions.karang_rejo, 1)

    @property
    def kr_rt2(self):
        return self.regions.rt(self.regions.karang_rejo, 2)


@pytest.fixture
def world(actors, population, regions) -> World:
    return World(actors, population, regions)


def summary(event: AuditEvent) -> tuple:
    return (
        event.action,
        event.entity_type,
        event.entity_id,
        event.actor_username,
        sorted(event.field_changes()),
        event.rt_id,
        event.kelurahan_id,
        event.kecamatan_id,
    )


def region(rt) -> tuple:
    return (rt.pk, rt.kelurahan_id, rt.kelurahan.kecamatan_id)


RESIDENT_CHANGE_KEYS = sorted(
    {f.name for f in Resident._meta.concrete_fields} - {"created_at", "updated_at"}
)
HOUSEHOLD_CHANGE_KEYS = sorted(
    {f.name for f in Household._meta.concrete_fields} - {"created_at", "updated_at"}
)
NEW_NIK = make_nik("647104", codes.Sex.FEMALE, date(2019, 4, 2), 777)
NEW_KK = make_no_kk("647104", date(2024, 1, 8), 555)


def _register(w: World) -> Resident:
    return population.resident_register(
        actor=w.actors.lurah,
        household=w.population.rt1,
        nik=NEW_NIK,
        name="Anak Baru",
        sex=codes.Sex.FEMALE,
        birth_date=date(2019, 4, 2),
        relationship=codes.Relationship.CHILD,
    )


# -- each case: (do the operation, return the expected summaries) ------------


def case_resident_created(w: World):
    resident = _register(w)
    return [(Action.CREATED, "population.resident", str(resident.pk), "lurah.karangrejo",
             valued_keys(resident), *region(w.kr_rt1))]  # fmt: skip


def valued_keys(instance, *, empty_too: bool = False) -> list[str]:
    """A creation or deletion shows every field with a value (the other side: None).

    A restore that recreates a record records the diff from nothing, so it
    also lists the fields holding an empty text (``empty_too``).
    """
    keys = RESIDENT_CHANGE_KEYS if isinstance(instance, Resident) else HOUSEHOLD_CHANGE_KEYS
    return sorted(
        k
        for k, v in snapshot(instance).items()
        if k in keys and v is not None and (empty_too or v != "")
    )


def case_resident_updated(w: World):
    resident = w.population.rt1.residents.order_by("pk").first()
    population.resident_update(actor=w.actors.lurah, resident=resident, name="Nama Diperbaiki")
    return [(Action.UPDATED, "population.resident", str(resident.pk), "lurah.karangrejo",
             ["name"], *region(w.kr_rt1))]  # fmt: skip


def case_resident_deleted(w: World):
    resident = w.population.rt1.residents.order_by("-pk").first()
    population.resident_delete(actor=w.actors.lurah, resident=resident)
    return [(Action.DELETED, "population.resident", str(resident.pk), "lurah.karangrejo",
             valued_keys(resident), *region(w.kr_rt1))]  # fmt: skip


def case_resident_restored(w: World):
    resident = w.population.rt1.residents.order_by("pk").first()
    population.resident_update(actor=w.actors.lurah, resident=resident, name="Salah Ketik")
    updated = AuditEvent.objects.filter(action=Action.UPDATED).latest("seq")
    population.resident_update(actor=w.actors.lurah, resident=resident, name="Lain Lagi")
    population.resident_restore(actor=w.actors.lurah, resident_id=resident.pk, event=updated)
    expected_update = (Action.UPDATED, "population.resident", str(resident.pk),
                       "lurah.karangrejo", ["name"], *region(w.kr_rt1))  # fmt: skip
    return [
        expected_update,
        expected_update,
        (Action.RESTORED, "population.resident", str(resident.pk), "lurah.karangrejo",
         ["name"], *region(w.kr_rt1)),
    ]  # fmt: skip


def case_household_created(w: World):
    household = population.household_create(
        actor=w.actors.staf_kelurahan, rt=w.kr_rt2, no_kk=NEW_KK, address="Jl. Baru 1"
    )
    return [(Action.CREATED, "population.household", str(household.pk), "staf.karangrejo",
             valued_keys(household), *region(w.kr_rt2))]  # fmt: skip


def case_household_updated_moves_members_in_bulk(w: World):
    household = w.population.rt1
    members = list(household.residents.order_by("pk").values_list("pk", flat=True))
    population.household_update(actor=w.actors.lurah, household=household, rt=w.kr_rt2)
    return [
        *[(Action.UPDATED, "population.resident", str(pk), "lurah.karangrejo", ["rt"],
           *region(w.kr_rt2)) for pk in members],
        (Action.UPDATED, "population.household", str(household.pk), "lurah.karangrejo",
         ["rt"], *region(w.kr_rt2)),
    ]  # fmt: skip


def case_household_deleted(w: World):
    household = population.household_create(
        actor=w.actors.lurah, rt=w.kr_rt1, no_kk=NEW_KK, address="Jl. Salah"
    )
    population.household_delete(actor=w.actors.lurah, household=household)
    keys = valued_keys(household)
    return [
        (Action.CREATED, "population.household", str(household.pk), "lurah.karangrejo", keys,
         *region(w.kr_rt1)),
        (Action.DELETED, "population.household", str(household.pk), "lurah.karangrejo", keys,
         *region(w.kr_rt1)),
    ]  # fmt: skip


def case_household_restored_after_deletion(w: World):
    household = population.household_create(
        actor=w.actors.lurah, rt=w.kr_rt1, no_kk=NEW_KK, address="Jl. Dihapus"
    )
    pk = household.pk
    population.household_delete(actor=w.actors.lurah, household=household)
    deleted = AuditEvent.objects.filter(action=Action.DELETED).latest("seq")
    restored = restore.restore(actor=w.actors.lurah, event=deleted)
    assert restored.pk == pk and restored.address == "Jl. Dihapus"
    keys = valued_keys(household)
    return [
        (Action.CREATED, "population.household", str(pk), "lurah.karangrejo", keys,
         *region(w.kr_rt1)),
        (Action.DELETED, "population.household", str(pk), "lurah.karangrejo", keys,
         *region(w.kr_rt1)),
        (Action.RESTORED, "population.household", str(pk), "lurah.karangrejo",
         valued_keys(household, empty_too=True), *region(w.kr_rt1)),
    ]  # fmt: skip


def case_nik_revealed(w: World):
    resident = w.population.rt2.residents.first()
    record_nik_revealed(actor=w.actors.staf_kelurahan, instance=resident)
    return [(Action.NIK_REVEALED, "population.resident", str(resident.pk), "staf.karangrejo",
             ["field"], *region(w.kr_rt2))]  # fmt: skip


def case_timeline_exported(w: World):
    audit_export(actor=w.actors.lurah, queryset=audit_list(actor=w.actors.lurah), file_format="csv")
    kr = w.regions.karang_rejo
    return [(Action.EXPORTED, "audit.auditevent", "", "lurah.karangrejo",
             ["filters", "format", "rows", "unmasked"], None, kr.pk, kr.kecamatan_id)]  # fmt: skip


def case_permission_denied(w: World):
    resident = w.population.rt1.residents.first()
    with pytest.raises(DomainError):
        population.resident_update(actor=w.actors.ketua_rt_1, resident=resident, name="X")
    return [(Action.PERMISSION_DENIED, "population.resident", str(resident.pk), "rt001",
             ["code", "message", "operation"], *region(w.kr_rt1))]  # fmt: skip


def case_out_of_scope_refused(w: World):
    other = w.population.karang_jati.residents.first()
    karang_jati_rt1 = w.regions.rt(w.regions.karang_jati, 1)
    with pytest.raises(DomainError):
        population.resident_delete(actor=w.actors.lurah, resident=other)
    return [(Action.PERMISSION_DENIED, "population.resident", str(other.pk), "lurah.karangrejo",
             ["code", "field", "message", "operation"], *region(karang_jati_rt1))]  # fmt: skip


def case_token_created_and_revoked(w: World):
    user = w.actors.ketua_rt_1
    token, _raw = accounts.token_issue(user=user, device_name="HP Samsung")
    accounts.token_revoke(actor=user, token=token)
    return [
        (Action.TOKEN_CREATED, "accounts.apitoken", str(token.pk), "rt001", [], *region(w.kr_rt1)),
        (Action.TOKEN_REVOKED, "accounts.apitoken", str(token.pk), "rt001", [], *region(w.kr_rt1)),
    ]


def _login_request():
    return RequestFactory().post("/graphql/", REMOTE_ADDR="10.9.8.7")


def case_logged_in(w: World):
    token, _raw = accounts.token_login(
        request=_login_request(), username="rt001", password=PASSWORD, device_name="HP"
    )
    user = str(w.actors.ketua_rt_1.pk)
    return [
        (Action.TOKEN_CREATED, "accounts.apitoken", str(token.pk), "rt001", [], *region(w.kr_rt1)),
        (Action.LOGGED_IN, "accounts.user", user, "rt001", [], *region(w.kr_rt1)),
    ]


# -- reports ------------------------------------------------------------------------


def _report_keys(report) -> list[str]:
    """The fields a report's creation shows (its snapshot's values), as for a record."""
    from backend.reports.services import _snapshot

    return sorted(k for k, v in _snapshot(report).items() if v is not None and v != "")


def _death_report(w: World, client_key: str = "door-test-death-1"):
    from backend.reports import services as reports

    child = w.population.rt1.residents.get(relationship=codes.Relationship.CHILD)
    report = reports.report_save(
        actor=w.actors.ketua_rt_1,
        kind="death",
        client_key=client_key,
        details={
            "resident_id": child.pk,
            "death_date": today_wita(),
            "place": "home",
            "informant_name": "Keluarga Uji",
            "informant_relationship": "parent",
        },
    ).report
    return report, child


def case_report_approved(w: World):
    """A death report: the resident and the KK follow the approval, in one transaction."""
    from backend.reports import services as reports

    report, child = _death_report(w)
    reports.report_approve(actor=w.actors.staf_kelurahan, report=report)
    rt1 = region(w.kr_rt1)
    pk = str(report.pk)
    return [
        (Action.CREATED, "reports.report", pk, "rt001", _report_keys(report), *rt1),
        (Action.SUBMITTED, "reports.report", pk, "rt001", ["state"], *rt1),
        (Action.UPDATED, "population.resident", str(child.pk), "staf.karangrejo",
         ["status", "status_date"], *rt1),
        (Action.UPDATED, "population.household", str(child.household_id), "staf.karangrejo",
         ["needs_update", "needs_update_reason"], *rt1),
        (Action.APPROVED, "reports.report", pk, "staf.karangrejo", ["state"], *rt1),
    ]  # fmt: skip


def case_reports_approved_in_bulk(w: World):
    """One approved event per report, through the single-report service, in order."""
    from backend.reports import services as reports

    made = []
    for actor, rt in ((w.actors.ketua_rt_1, w.kr_rt1), (w.actors.ketua_rt_2, w.kr_rt2)) * 2:
        report = reports.report_save(
            actor=actor,
            kind="activity",
            client_key=f"door-test-activity-{len(made)}",
            details={"category": "meeting", "title": "Rapat", "place": "Balai", "participants": 9},
        ).report
        made.append((report, actor.username, region(rt)))
    result = reports.report_decide_many(
        actor=w.actors.lurah, reports=[r.pk for r, *_ in made], decision="approve"
    )
    assert len(result.done) == 4 and not result.failed
    expected = []
    for report, username, where in made:
        expected += [
            (Action.CREATED, "reports.report", str(report.pk), username, _report_keys(report),
             *where),
            (Action.SUBMITTED, "reports.report", str(report.pk), username, ["state"], *where),
        ]  # fmt: skip
    expected += [
        (Action.APPROVED, "reports.report", str(r.pk), "lurah.karangrejo", ["state"], *where)
        for r, _u, where in made
    ]
    return expected


def case_login_failed(w: World):
    with pytest.raises(DomainError):
        accounts.token_login(
            request=_login_request(), username="rt001", password="salah", device_name="HP"
        )
    user = str(w.actors.ketua_rt_1.pk)
    return [(Action.LOGIN_FAILED, "accounts.user", user, "rt001", [], *region(w.kr_rt1))]


CASES = {
    "resident created": case_resident_created,
    "resident updated": case_resident_updated,
    "resident deleted": case_resident_deleted,
    "resident restored": case_resident_restored,
    "household created": case_household_created,
    "household updated (members moved in bulk)": case_household_updated_moves_members_in_bulk,
    "household deleted": case_household_deleted,
    "household restored after deletion": case_household_restored_after_deletion,
    "NIK revealed": case_nik_revealed,
    "timeline exported": case_timeline_exported,
    "permission denied": case_permission_denied,
    "out of scope refused": case_out_of_scope_refused,
    "token created and revoked": case_token_created_and_revoked,
    "logged in (token login)": case_logged_in,
    "login failed (token login)": case_login_failed,
    "report approved (death: resident and KK follow)": case_report_approved,
    "reports approved in bulk": case_reports_approved_in_bulk,
    # A bulk import runs only behind its own door (Door.IMPORT with the job id):
    # test_a_bulk_import_records_one_event_per_row_under_its_job below.
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_service_writes_exactly_these_audit_records(case, door, world, log):
    expected = CASES[case](world)

    events = log.new()

    assert [summary(e) for e in events] == expected
    for event in events:
        assert event.door == door["door"]
        assert event.request_id == door["request_id"]
        assert event.client_ip == door["client_ip"]
        assert event.occurred_at.utcoffset().total_seconds() == 0


def test_a_creation_records_the_whole_record_once_shown_as_before_none(world, log):
    resident = _register(world)

    (event,) = log.new()

    assert event.changes == {}  # the whole record is stored once, in the snapshot
    assert event.snapshot["nik"] == NEW_NIK and event.snapshot["id"] == resident.pk
    assert event.field_changes()["nik"] == [None, NEW_NIK]
    assert event.field_changes()["name"] == [None, "Anak Baru"]


# -- the same records through the real doors ------------------------------------------


def _activity(actor, n: int):
    from backend.reports import services as reports

    return reports.report_save(
        actor=actor,
        kind="activity",
        client_key=f"real-door-{n:04d}",
        details={"category": "meeting", "title": "Rapat", "place": "Balai", "participants": 9},
    ).report


def _approved(events) -> list[tuple]:
    return [
        (e.action, e.entity_id, e.actor_username, e.door, bool(e.request_id), e.client_ip)
        for e in events
    ]


def test_reports_approved_through_the_admins_bulk_action(client, world, log):
    from urllib.parse import urlencode

    a, b = _activity(world.actors.ketua_rt_1, 1), _activity(world.actors.ketua_rt_2, 2)
    client.force_login(world.actors.staf_kelurahan)
    log.mark()

    client.post(
        "/admin/reports/reportqueue/",
        urlencode({"action": "approve_selected", "_selected_action": [a.pk, b.pk], "index": 0},
                  doseq=True),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip

    events = log.new()
    assert _approved(events) == [
        (Action.APPROVED, str(a.pk), "staf.karangrejo", "admin_action", True, "127.0.0.1"),
        (Action.APPROVED, str(b.pk), "staf.karangrejo", "admin_action", True, "127.0.0.1"),
    ]
    assert len({e.request_id for e in events}) == 1  # one request
    assert [e.field_changes() for e in events] == [{"state": ["submitted", "approved"]}] * 2


def test_a_death_report_approved_on_its_admin_page(client, world, log):
    report, _child = _death_report(world)
    client.force_login(world.actors.lurah)
    log.mark()

    response = client.post(f"/admin/reports/report/{report.pk}/approve/")

    assert response.status_code == 302
    assert [(e.action, e.entity_type, e.door, e.actor_username) for e in log.new()] == [
        (Action.UPDATED, "population.resident", "admin", "lurah.karangrejo"),
        (Action.UPDATED, "population.household", "admin", "lurah.karangrejo"),
        (Action.APPROVED, "reports.report", "admin", "lurah.karangrejo"),
    ]


def test_a_report_approved_through_graphql(world, log):
    from tests.graphql.conftest import GraphQLClient

    report = _activity(world.actors.ketua_rt_1, 3)
    log.mark()

    data = GraphQLClient(world.actors.lurah).execute(
        "mutation($id: ID!) { reportApprove(id: $id) { report { state } errors { code } } }",
        {"id": str(report.pk)},
    )

    assert data["data"]["reportApprove"]["errors"] == []
    (event,) = log.new()
    assert (event.action, event.entity_id, event.door, event.actor_username) == (
        Action.APPROVED,
        str(report.pk),
        "graphql",
        "lurah.karangrejo",
    )
    assert event.request_id and event.field_changes() == {"state": ["submitted", "approved"]}


def test_a_bulk_import_records_one_event_per_row_under_its_job(world, log):
    """Two KKs of three residents through the import job: each new household and
    resident is one creation event holding the whole record, with the import door
    and the job id, written in bulk; then the job's own summary event."""
    from tests.imports.test_job import csv, family, run

    job = run(world.actors.staf_kelurahan, world.regions.karang_rejo, csv(*family(1), *family(2)))

    assert job.status == "done"
    residents = {str(pk) for pk in Resident.objects.filter(
        household__no_kk__in=[h.no_kk for h in Household.objects.filter(rt__number=3)]
    ).values_list("pk", flat=True)}  # fmt: skip
    households = {
        str(pk) for pk in Household.objects.filter(rt__number=3).values_list("pk", flat=True)
    }
    written = [e for e in log.new() if e.job_id == str(job.pk)]
    rows = [e for e in written if e.entity_type.startswith("population.")]
    assert [e.entity_type for e in rows] == ["population.household"] * 2 + [
        "population.resident"
    ] * 6
    assert {e.entity_id for e in rows} == households | residents
    assert {(e.action, e.door, e.actor_username) for e in rows} == {
        (Action.CREATED, "import", "staf.karangrejo")
    }
    for event in rows:
        assert event.changes == {} and event.snapshot["id"] == int(event.entity_id)
        assert event.rt.number == 3 and event.kelurahan_id == world.regions.karang_rejo.pk
    (summary,) = [e for e in written if e.entity_type == "imports.importjob"][-1:]
    assert summary.action == Action.IMPORTED and summary.seq > rows[-1].seq
