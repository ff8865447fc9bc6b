"""The audit trail keeps the privacy rules of GraphQL and the record pages.

- A stay person's (and a resident's) birth date is hidden, and a passport
  number masked, for readers without NIK rights over the event's region
  (Camat, kecamatan staff); the Lurah and kelurahan staff see them, as on
  GraphQL. NIK/KK numbers stay masked for everyone until revealed.
- A report's events are its reporter's alone while it is a draft: in the
  timeline, the record history and the export. Once sent, its whole history
  is readable; withdrawn back to a draft it is private again.
- The timeline is searchable by username and names records in Indonesian.
- The export survives any event shape and records itself only once the file
  was produced.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from backend.audit.display import EventPresenter
from backend.audit.exports import audit_export
from backend.audit.models import Action, AuditEvent
from backend.audit.selectors import audit_history, audit_list
from backend.audit.services import record
from backend.population import services as population_services
from backend.reports import services as report_services
from backend.reports.choices import Kind
from backend.reports.models import NonPermanentStay
from tests.admin.conftest import admin_url
from tests.reports.conftest import ACTIVITY, save, stay_start

pytestmark = pytest.mark.django_db

TIMELINE = "/admin/audit/auditevent/"
PASSPORT = "X1234567"
BIRTH_TEXTS = ("1999-08-12", "12 Agustus 1999", "12-08-1999")


@pytest.fixture
def arrival(actors, population):
    """A foreign arrival reported by Ketua RT 001, approved: a stay in the register."""
    report = save(
        actors.ketua_rt_1,
        Kind.STAY_START,
        stay_start(nik="", citizenship=2, passport_number=PASSPORT, name="Tamu Asing"),
    ).report
    report_services.report_approve(actor=actors.lurah, report=report)
    return report


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# -- birth dates and passport numbers ---------------------------------------------------


@pytest.mark.parametrize("role", ["camat", "staf_kecamatan"])
def test_stay_snapshot_in_the_trail_hides_birth_date_and_passport_without_nik_rights(
    client, actors, arrival, role
):
    created = AuditEvent.objects.get(
        entity_type="reports.report", entity_id=str(arrival.pk), action=Action.CREATED
    )
    with translation.override("id"):
        rows = {r.name: r for r in EventPresenter(getattr(actors, role)).change_rows(created)}
    assert rows["birth_date"].after == "(tersembunyi)"
    assert rows["passport_number"].after == "********"

    detail = _page(client, getattr(actors, role), f"{TIMELINE}{created.pk}/change/")
    stay = NonPermanentStay.objects.get(opened_by=arrival)
    history = _page(
        client, getattr(actors, role), admin_url("reports_nonpermanentstay_history", stay.pk)
    )
    for page in (detail, history):
        assert PASSPORT not in page
        assert not any(text in page for text in BIRTH_TEXTS)


def test_stay_snapshot_in_the_trail_shows_birth_date_and_passport_to_the_lurah(
    client, actors, arrival
):
    created = AuditEvent.objects.get(
        entity_type="reports.report", entity_id=str(arrival.pk), action=Action.CREATED
    )
    with translation.override("id"):
        rows = {r.name: r for r in EventPresenter(actors.lurah).change_rows(created)}
    assert rows["birth_date"].after == "12 Agustus 1999"
    assert rows["passport_number"].after == PASSPORT
    stay = NonPermanentStay.objects.get(opened_by=arrival)
    history = _page(client, actors.lurah, admin_url("reports_nonpermanentstay_history", stay.pk))
    assert "12 Agustus 1999" in history and PASSPORT in history


def test_resident_birth_date_change_is_hidden_from_the_camat_in_history_and_export(
    client, actors, population
):
    resident = population.rt1.residents.order_by("pk").first()
    population_services.resident_update(
        actor=actors.lurah, resident=resident, birth_date=date(1980, 8, 9)
    )
    camat_history = _page(
        client, actors.camat, admin_url("population_resident_history", resident.pk)
    )
    assert "9 Agustus 1980" not in camat_history and "1980-08-09" not in camat_history
    camat_file = client.get(f"{TIMELINE}export/csv/").content.decode("utf-8-sig")
    assert "9 Agustus 1980" not in camat_file and "1980-08-09" not in camat_file

    lurah_history = _page(
        client, actors.lurah, admin_url("population_resident_history", resident.pk)
    )
    assert "9 Agustus 1980" in lurah_history
    lurah_file = client.get(f"{TIMELINE}export/csv/").content.decode("utf-8-sig")
    assert "9 Agustus 1980" in lurah_file


# -- drafts -------------------------------------------------------------------------------


def _report_events(actor, report) -> list[str]:
    return list(
        audit_list(actor=actor)
        .filter(entity_type="reports.report", entity_id=str(report.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("role", ["lurah", "staf_kelurahan", "camat", "admin_kota"])
def test_a_drafts_events_are_hidden_from_staff_until_it_is_sent(actors, population, role):
    staff = getattr(actors, role)
    draft = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY), submit=False).report
    save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        {**ACTIVITY, "participants": 30},
        client_key=draft.client_key,
        submit=False,
    )
    assert _report_events(staff, draft) == []
    assert not audit_history(actor=staff, entity_type="reports.report", entity_id=draft.pk)

    report_services.report_submit(actor=actors.ketua_rt_1, report=draft)
    # Sent: its whole history, the draft edits included, is the report's account.
    assert _report_events(staff, draft) == [Action.CREATED, Action.UPDATED, Action.SUBMITTED]

    report_services.report_withdraw(actor=actors.ketua_rt_1, report=draft)
    # Withdrawn back to a draft: private again, as the report itself.
    assert _report_events(staff, draft) == []


def test_a_deleted_draft_stays_private_and_other_reports_stay_visible(actors, population):
    draft = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY), submit=False).report
    sent = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY)).report
    draft_pk = draft.pk
    report_services.report_delete(actor=actors.ketua_rt_1, report=draft)
    gone = AuditEvent.objects.filter(entity_type="reports.report", entity_id=str(draft_pk))
    assert gone.count() == 2
    visible = set(audit_list(actor=actors.admin_kota).values_list("pk", flat=True))
    assert not visible & set(gone.values_list("pk", flat=True))
    assert _report_events(actors.lurah, sent) == [Action.CREATED, Action.SUBMITTED]
    root = get_user_model().objects.create_superuser("root", "r@example.invalid", "x")
    assert set(gone.values_list("pk", flat=True)) <= set(
        audit_list(actor=root).values_list("pk", flat=True)
    )


def test_a_drafts_events_are_left_out_of_the_timeline_page_and_its_export(
    client, actors, population
):
    draft = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY), submit=False).report
    draft_events = set(
        AuditEvent.objects.filter(
            entity_type="reports.report", entity_id=str(draft.pk)
        ).values_list("pk", flat=True)
    )
    assert draft_events
    client.force_login(actors.lurah)
    listed = client.get(TIMELINE).context["cl"].result_list
    assert not draft_events & {e.pk for e in listed}
    for event_pk in draft_events:
        assert client.get(f"{TIMELINE}{event_pk}/change/").status_code == 404
    rows = list(csv.reader(io.StringIO(client.get(f"{TIMELINE}export/csv/").content.decode())))
    entity_ids = {(r[4], r[5]) for r in rows[1:]}
    assert ("Laporan", str(draft.pk)) not in entity_ids


# -- search and labels --------------------------------------------------------------------


def test_timeline_search_finds_events_by_username(client, actors, population):
    population_services.household_update(
        actor=actors.staf_kelurahan, household=population.rt1, address="Jl. Cari"
    )
    population_services.household_update(
        actor=actors.lurah, household=population.rt2, address="Jl. Lain"
    )
    client.force_login(actors.lurah)
    for term in (actors.staf_kelurahan.username, actors.staf_kelurahan.username.upper()):
        found = client.get(TIMELINE, {"q": term}).context["cl"].result_list
        assert found and {e.actor_username for e in found} == {actors.staf_kelurahan.username}


def test_timeline_names_records_in_indonesian(client, actors, population):
    resident = population.rt1.residents.order_by("pk").first()
    population_services.resident_update(actor=actors.lurah, resident=resident, name="Nama Baru")
    population_services.household_update(
        actor=actors.lurah, household=population.rt1, address="Jl. B"
    )
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY)).report
    client.force_login(actors.lurah)
    page = client.get(TIMELINE).content.decode()
    for label in (f"Penduduk #{resident.pk}", f"Kartu Keluarga #{population.rt1.pk}"):
        assert label in page
    assert f"Laporan #{report.pk}" in page
    entity_filter = client.get(TIMELINE).content.decode()
    assert "Kartu Keluarga" in entity_filter and "population.household" in entity_filter
    rows = list(csv.reader(io.StringIO(client.get(f"{TIMELINE}export/csv/").content.decode())))
    assert {"Penduduk", "Kartu Keluarga", "Laporan"} <= {r[4] for r in rows[1:]}


# -- the export ---------------------------------------------------------------------------


@pytest.fixture
def odd_events(actors, population):
    """Events of every shape the trail may hold, old or new."""
    resident = population.rt1.residents.order_by("pk").first()
    rt = population.rt1.rt
    return [
        record(actor=actors.lurah, action=Action.UPDATED, instance=resident, changes={}, rt=rt),
        record(
            actor=actors.lurah,
            action=Action.UPDATED,
            instance=resident,
            changes={
                "birth_date": ["not a date", "2026-13-45"],
                "household": [[1, 2], {"x": 1}],
                "sex": [[1], None],
                "status_date": [None, 12],
                "unknown": {"nested": [1, {"deep": "6471041705750001"}]},
                "nik": [None, 6471041705750001],
            },
            rt=rt,
        ),
        record(actor=actors.lurah, action=Action.UPDATED, instance=resident, changes={"a": []}),
        record(
            actor=actors.lurah,
            action=Action.PERMISSION_DENIED,
            entity_type="population.resident",
            entity_id=resident.pk,
            changes={"operation": "resident_update", "code": "out_of_scope", "message": "=1+1"},
            rt=rt,
        ),
        record(
            actor=None,
            action=Action.LOGIN_FAILED,
            actor_username="jahil\x01\x07\x1bnama",
            note="bad\x02note",
        ),
        record(actor=actors.lurah, action=Action.LOGGED_IN, instance=actors.lurah),
        record(
            actor=actors.lurah,
            action=Action.DELETED,
            entity_type="population.resident",
            entity_id="999999",
            snapshot={"name": "Hapus", "birth_date": "1990-01-02", "rt": "x"},
            rt=rt,
        ),
        record(actor=actors.lurah, action=Action.UPDATED, entity_type="nope", entity_id="1"),
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_survives_every_event_shape_and_records_itself_after(
    client, actors, odd_events, file_format
):
    root = get_user_model().objects.create_superuser("root", "r@example.invalid", "x")
    before = AuditEvent.objects.filter(action=Action.EXPORTED).count()
    exported = audit_export(actor=root, queryset=AuditEvent.objects.all(), file_format=file_format)
    assert exported.rows >= len(odd_events)
    assert AuditEvent.objects.filter(action=Action.EXPORTED).count() == before + 1
    if file_format == "csv":
        text = exported.content.decode("utf-8-sig")
        assert "6471041705750001" not in text  # masked in nested values too
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(exported.content)).active
        assert sheet.max_row >= len(odd_events) + 1
    # The pages that show these events do not break either.
    client.force_login(root)
    for event in odd_events:
        assert client.get(f"{TIMELINE}{event.pk}/change/").status_code == 200


def test_a_failed_export_records_no_exported_event(actors, odd_events, monkeypatch):
    from backend.audit import exports

    def broken(headers, rows):
        list(rows)
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "_xlsx", broken)
    before = AuditEvent.objects.filter(action=Action.EXPORTED).count()
    with pytest.raises(RuntimeError):
        audit_export(actor=actors.admin_kota, queryset=AuditEvent.objects.all(), file_format="xlsx")
    assert AuditEvent.objects.filter(action=Action.EXPORTED).count() == before


def test_the_notes_services_write_are_shown_in_the_readers_language():
    from django.utils import translation

    from backend.audit.display import note_text

    with translation.override("id"):
        assert note_text("85 rows") == "85 baris"
        assert note_text("85 rows unmasked") == "85 baris, NIK dan No. KK lengkap"
        assert note_text("5 failed rows") == "5 baris gagal"
        assert note_text("import") == "impor spreadsheet"
        assert note_text("field=nik") == "kolom: nik"
        assert note_text("password changed") == "dicabut karena kata sandi diganti"


def test_the_trail_names_people_as_they_know_each_other(db):
    from backend.accounts.models import User
    from backend.audit.models import Action
    from backend.audit.services import record

    user = User.objects.create_user("staf.uji", password="-", first_name="Rina", last_name="Uji")
    event = record(actor=user, action=Action.LOGGED_IN, entity_type="accounts.user")
    assert event.actor_display == "Rina Uji (staf.uji)"
    nameless = User.objects.create_user("tanpa.nama", password="-")
    assert record(actor=nameless, action=Action.LOGGED_IN).actor_display == "tanpa.nama"
