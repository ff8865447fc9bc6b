"""The admin timeline: read-only, scoped, filterable, readable, exportable."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from backend.audit.context import Door, audit_context
from backend.audit.models import Action, AuditEvent
from backend.audit.services import record
from backend.population import codes
from backend.population import services as svc

TIMELINE = "/admin/audit/auditevent/"


@pytest.fixture
def trail(actors, population, regions):
    """Changes in Karang Rejo RT 1 and RT 2 (admin, GraphQL) and in Sepinggan."""
    with audit_context(door=Door.ADMIN):
        svc.resident_update(
            actor=actors.lurah,
            resident=population.rt1.residents.order_by("pk").first(),
            name="Nama Baru",
            sex=codes.Sex.FEMALE,
            birth_date=date(1980, 8, 9),
        )
    with audit_context(door=Door.GRAPHQL):
        svc.household_update(actor=actors.staf_kelurahan, household=population.rt2, address="X")
    record(
        actor=actors.admin_kota,
        action=Action.UPDATED,
        instance=population.sepinggan,
        changes={"address": ["A", "B"]},
        rt=population.sepinggan.rt,
    )


def _listed(client, query: str = "") -> list[AuditEvent]:
    response = client.get(f"{TIMELINE}?{query}")
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_ketua_rt_has_no_audit_access(client, actors, trail):
    client.force_login(actors.ketua_rt_1)
    assert client.get(TIMELINE).status_code == 403


def test_lurah_sees_the_events_of_their_kelurahan_only(client, actors, trail, regions):
    client.force_login(actors.lurah)
    events = _listed(client)
    assert events and {e.kelurahan_id for e in events} == {regions.karang_rejo.pk}


def test_camat_of_another_kecamatan_sees_only_theirs(client, actors, trail, regions):
    client.force_login(actors.camat_selatan)
    assert {e.kelurahan_id for e in _listed(client)} == {regions.sepinggan.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("door=graphql", {("population.household", Action.UPDATED)}),
        ("action=updated&entity=population.resident", {("population.resident", Action.UPDATED)}),
        ("user=lurah.karangrejo", {("population.resident", Action.UPDATED)}),
        ("user=STAF.KARANGREJO", {("population.household", Action.UPDATED)}),
    ],
)
def test_timeline_filters(client, actors, trail, query, expected):
    client.force_login(actors.lurah)
    assert {(e.entity_type, e.action) for e in _listed(client, query)} == expected


def test_region_filters(client, actors, trail, regions, population):
    client.force_login(actors.camat)
    rt2 = population.rt2.rt
    assert {e.rt_id for e in _listed(client, f"rt={rt2.pk}")} == {rt2.pk}
    by_kelurahan = _listed(client, f"kelurahan={regions.karang_rejo.pk}")
    assert by_kelurahan and {e.kelurahan_id for e in by_kelurahan} == {regions.karang_rejo.pk}
    # An RT outside the scope lists nothing, even by URL.
    assert _listed(client, f"rt={population.sepinggan.rt_id}") == []


def test_date_range_filter_uses_the_wita_date(client, actors, trail):
    client.force_login(actors.lurah)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    assert _listed(client, f"occurred_at_from={today:%d-%m-%Y}&occurred_at_to={today:%d-%m-%Y}")
    assert _listed(client, f"occurred_at_to={yesterday:%d-%m-%Y}") == []


def test_detail_page_shows_the_change_readably_in_indonesian(client, actors, trail):
    client.force_login(actors.lurah)
    event = AuditEvent.objects.filter(entity_type="population.resident").latest("seq")

    page = client.get(f"{TIMELINE}{event.pk}/change/").content.decode()

    assert "Nama lengkap" in page and "Nama Baru" in page
    assert "Laki-laki" in page and "Perempuan" in page  # coded sex shown as labels
    assert "9 Agustus 1980" in page  # a date as Indonesians write it
    assert "WITA" in page
    assert "RT 001" in page


def test_detail_page_masks_nik_for_everyone_and_offers_the_lurah_an_audited_reveal(
    client, actors, population
):
    resident = population.rt1.residents.order_by("pk").first()
    old_nik = resident.nik
    new_nik = old_nik[:-4] + "0999"
    svc.resident_update(actor=actors.lurah, resident=resident, nik=new_nik)
    event = AuditEvent.objects.latest("seq")
    reveal_url = f"{TIMELINE}{event.pk}/reveal/"

    client.force_login(actors.camat)
    camat = client.get(f"{TIMELINE}{event.pk}/change/")
    page = camat.content.decode()
    assert old_nik not in page and new_nik not in page
    assert f"{old_nik[:6]}********{old_nik[-4:]}" in page
    assert camat.context["reveal_url"] is None and reveal_url not in page

    client.force_login(actors.lurah)
    lurah = client.get(f"{TIMELINE}{event.pk}/change/")
    page = lurah.content.decode()
    assert old_nik not in page and new_nik not in page
    assert lurah.context["reveal_url"] == reveal_url and reveal_url in page

    revealed = client.post(reveal_url, {"version": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert old_nik in revealed and new_nik in revealed
    reveal = AuditEvent.objects.latest("seq")
    assert (reveal.action, reveal.actor_id, reveal.entity_id, reveal.changes) == (
        Action.NIK_REVEALED,
        actors.lurah.pk,
        str(resident.pk),
        {"event": event.pk},
    )


def test_detail_of_an_event_outside_the_scope_is_not_found(client, actors, trail):
    event = AuditEvent.objects.filter(note="", kelurahan__name="Sepinggan").latest("seq")
    client.force_login(actors.lurah)
    assert client.get(f"{TIMELINE}{event.pk}/change/").status_code == 404


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_export_is_scoped_filtered_and_recorded(client, actors, trail, regions):
    client.force_login(actors.lurah)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    response = client.get(f"{TIMELINE}export/csv/?door=graphql")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="jejak-audit-')
    header, *rows = _csv_rows(response.content)
    assert header[:4] == ["Waktu (WITA)", "Pengguna", "Pintu masuk", "Tindakan"]
    assert [r[2] for r in rows] == ["GraphQL"]
    (exported,) = AuditEvent.objects.exclude(pk__in=before)
    assert exported.action == Action.EXPORTED
    assert exported.changes["rows"] == 1 and exported.changes["format"] == "csv"
    assert exported.changes["filters"] == {"door": "graphql"}
    assert exported.kelurahan_id == regions.karang_rejo.pk


def test_export_masks_nik_for_every_role(client, actors, population):
    resident = population.rt1.residents.order_by("pk").first()
    old_nik = resident.nik
    svc.resident_update(actor=actors.lurah, resident=resident, nik=old_nik[:-4] + "0999")

    for role in ("camat", "lurah", "admin_kota"):
        client.force_login(getattr(actors, role))
        exported = client.get(f"{TIMELINE}export/csv/").content.decode("utf-8-sig")
        assert old_nik not in exported, role
        assert f"{old_nik[:6]}********{old_nik[-4:]}" in exported, role
    assert AuditEvent.objects.latest("seq").changes["unmasked"] is False


def test_exports_are_safe_from_formula_injection(client, actors, population):
    svc.household_update(
        actor=actors.lurah, household=population.rt1, address='=HYPERLINK("http://x","klik")'
    )
    client.force_login(actors.lurah)

    rows = _csv_rows(client.get(f"{TIMELINE}export/csv/").content)
    changes = next(r[9] for r in rows[1:] if "HYPERLINK" in r[9])
    assert not changes.startswith(("=", "+", "-", "@"))

    from openpyxl import load_workbook

    xlsx = client.get(f"{TIMELINE}export/xlsx/")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert sheet.cell(row=1, column=1).value == "Waktu (WITA)"


def test_export_of_an_unknown_format_is_refused(client, actors, trail):
    client.force_login(actors.lurah)
    response = client.get(f"{TIMELINE}export/pdf/")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Action.EXPORTED).exists()


def test_the_timeline_costs_the_same_queries_whatever_the_number_of_events(
    client, actors, population
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(actors.lurah)
    resident = population.rt1.residents.order_by("pk").first()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TIMELINE).status_code == 200
        return len(captured)

    svc.resident_update(actor=actors.lurah, resident=resident, name="Satu")
    few = queries()
    for i in range(15):
        svc.resident_update(actor=actors.lurah, resident=resident, name=f"Ke-{i}")
    assert queries() == few


def test_ketua_rt_cannot_open_an_event_either(client, actors, trail):
    event = AuditEvent.objects.latest("seq")
    client.force_login(actors.ketua_rt_1)
    assert client.get(f"{TIMELINE}{event.pk}/change/").status_code == 403


def test_the_timeline_reads_in_time_order_even_for_events_recorded_with_an_earlier_time(
    client, actors
):
    from datetime import timedelta

    from django.utils import timezone

    from backend.audit.models import Action
    from backend.audit.services import build_event, record_many

    now = timezone.now()
    events = [
        build_event(actor=actors.lurah, action=Action.UPDATED, entity_type="uji.a", entity_id=1),
        build_event(actor=actors.lurah, action=Action.UPDATED, entity_type="uji.b", entity_id=2),
    ]
    events[0].occurred_at = now - timedelta(days=30)  # e.g. a historical report's decision
    events[1].occurred_at = now - timedelta(days=60)
    record_many(events)
    client.force_login(actors.admin_kota)  # events without a region: the city reads them
    page = client.get(TIMELINE).context["cl"].result_list
    times = [e.occurred_at for e in page]
    assert len(times) >= 2 and times == sorted(times, reverse=True)
