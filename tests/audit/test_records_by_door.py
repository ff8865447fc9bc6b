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
    # TODO(issue 4): after merging issue 3, add "report approved" and "reports
    # approved in bulk" (admin action, one approved event per report); after
    # merging the imports branch, add "residents imported" (Door.IMPORT, job id,
    # one imported/created event per row, written with record_many).
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
