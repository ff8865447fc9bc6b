"""Reports export: scope, filters, masking, text that stays text, formula guards, the round
trip (export, import again, nothing changes) and "export selected" in the report admin."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib import admin
from django.test import RequestFactory
from openpyxl import load_workbook

from admin_config.imports import ScopedExportMixin, export_selected
from backend.audit.models import AuditEvent
from backend.common.errors import DomainError
from backend.common.masking import mask_nik
from backend.imports.report_export import reports_export
from backend.population import codes
from backend.reports import services as report_services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.imports.conftest import problems, rows, upload_file
from tests.reports.conftest import (
    ACTIVITY,
    GOTONG_ROYONG,
    ISSUE,
    death,
    make_report,
    save,
    stay_start,
    yesterday,
)


@pytest.fixture
def reports(actors, population, regions):
    """Reports of every kind and state in Karang Rejo, and some elsewhere."""
    rt1 = actors.ketua_rt_1
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    made = {
        "activity": save(rt1, Kind.ACTIVITY, {**ACTIVITY, "start_time": dt.time(7, 30)}).report,
        "gotong_royong": save(rt1, Kind.GOTONG_ROYONG, dict(GOTONG_ROYONG)).report,
        "issue": save(rt1, Kind.ISSUE, dict(ISSUE)).report,
        "death": save(rt1, Kind.DEATH, death(head, informant_nik="6471045708800003")).report,
        "stay": save(rt1, Kind.STAY_START, stay_start()).report,
        # The day before: a nihil cannot join the RT's other reports of a day.
        "draft": save(rt1, Kind.NIHIL, submit=False, report_date=yesterday()).report,
        "rt2": save(actors.ketua_rt_2, Kind.NIHIL).report,
    }
    staff = actors.staf_kelurahan
    for name in ("death", "stay", "issue"):
        report_services.report_approve(actor=staff, report=made[name])
    report_services.report_reject(actor=staff, report=made["gotong_royong"], reason="Foto kurang")
    report_services.issue_follow_up_set(actor=staff, report=made["issue"], status="in_progress")
    made["karang_jati"] = make_report(regions.rt(regions.karang_jati, 1), dt.date(2025, 6, 1))
    made["sepinggan"] = make_report(regions.rt(regions.sepinggan, 1), dt.date(2025, 6, 1))
    return made


def xlsx_table(export) -> list[list]:
    wb = load_workbook(io.BytesIO(export.file.read()))
    return [[c.value for c in row] for row in wb.active.iter_rows()]


def csv_table(export, delimiter=";") -> list[dict]:
    text = export.file.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_export_holds_the_reports_of_the_actors_region(actors, reports):
    ids = {
        int(r["No. Laporan"])
        for r in csv_table(reports_export(actor=actors.staf_kelurahan, fmt="csv"))
    }
    # A Ketua RT's draft was never sent to the kelurahan: no export holds it.
    karang_rejo = {
        r.pk for k, r in reports.items() if k not in ("karang_jati", "sepinggan", "draft")
    }
    assert ids == karang_rejo

    camat = {
        int(r["No. Laporan"]) for r in csv_table(reports_export(actor=actors.camat, fmt="csv"))
    }
    assert camat == karang_rejo | {reports["karang_jati"].pk}

    selatan = csv_table(reports_export(actor=actors.camat_selatan, fmt="csv"))
    assert [int(r["No. Laporan"]) for r in selatan] == [reports["sepinggan"].pk]


@pytest.mark.parametrize("who", ["ketua_rt_1", "no_role"])
def test_who_may_not_export_is_refused(actors, reports, who):
    with pytest.raises(DomainError) as refused:
        reports_export(actor=getattr(actors, who), fmt="csv")
    assert refused.value.code == "permission_denied"


def test_filters_by_kind_state_rt_and_period(actors, reports, regions):
    staff = actors.staf_kelurahan

    def ids(**filters) -> set[int]:
        return {
            int(r["No. Laporan"])
            for r in csv_table(reports_export(actor=staff, fmt="csv", **filters))
        }

    assert ids(kind=Kind.DEATH) == {reports["death"].pk}
    assert ids(state=State.REJECTED) == {reports["gotong_royong"].pk}
    assert ids(rt=regions.rt(regions.karang_rejo, 2)) == {reports["rt2"].pk}
    assert ids(date_to=dt.date(2020, 1, 1)) == set()
    today = reports["activity"].report_date
    assert reports["activity"].pk in ids(date_from=today, date_to=today)
    # Another kelurahan's RT as a filter gives nothing, never its rows.
    assert ids(rt=regions.rt(regions.karang_jati, 1)) == set()
    with pytest.raises(DomainError):
        reports_export(actor=staff, date_from=today, date_to=today - dt.timedelta(days=1))


def test_nik_is_masked_unless_the_role_may_see_it_and_asks(actors, reports):
    head = reports["death"].deathdetail.resident

    masked = {
        r["No. Laporan"]: r
        for r in csv_table(reports_export(actor=actors.staf_kelurahan, fmt="csv"))
    }
    row = masked[str(reports["death"].pk)]
    assert row["NIK Almarhum"] == mask_nik(head.nik)
    assert row["NIK Pelapor"] == mask_nik("6471045708800003")
    assert masked[str(reports["stay"].pk)]["NIK Pendatang"] == mask_nik(stay_start()["nik"])

    full = csv_table(reports_export(actor=actors.staf_kelurahan, fmt="csv", reveal=True))
    row = next(r for r in full if r["No. Laporan"] == str(reports["death"].pk))
    assert row["NIK Almarhum"] == f"'{head.nik}"
    with pytest.raises(DomainError):
        reports_export(actor=actors.camat, fmt="csv", reveal=True)


def test_every_export_is_audited_with_its_row_count_and_filters(actors, reports):
    reports_export(actor=actors.staf_kelurahan, fmt="xlsx", kind=Kind.NIHIL)

    event = AuditEvent.objects.get(action="exported", entity_type="reports.report")
    assert event.actor == actors.staf_kelurahan
    assert event.snapshot["rows"] == 1  # the Ketua RT's nihil draft is not exported
    assert event.snapshot["kind"] == "reports" and event.snapshot["masked"] is True


def test_xlsx_keeps_numbers_as_text_and_never_writes_a_formula(actors, reports):
    from backend.reports.models import ActivityDetail

    ActivityDetail.objects.filter(report=reports["activity"]).update(
        title='=HYPERLINK("http://contoh.invalid","klik")'
    )

    wb = load_workbook(
        io.BytesIO(reports_export(actor=actors.staf_kelurahan, reveal=True).file.read())
    )
    ws = wb.active
    header = [c.value for c in ws[1]]
    by_id = {r[0].value: {header[i]: c for i, c in enumerate(r)} for r in ws.iter_rows(min_row=2)}
    activity = by_id[reports["activity"].pk]
    assert activity["Judul"].data_type == "s" and activity["Judul"].quotePrefix
    assert activity["Judul"].value.startswith("=HYPERLINK")
    assert activity["RT"].value == "001" and activity["RT"].quotePrefix
    assert activity["Tanggal"].is_date and activity["Tanggal"].number_format == "DD-MM-YYYY"
    assert activity["Jam Mulai"].value == "07:30"
    assert activity["Kategori"].value == "Posyandu"
    assert activity["Jenis Laporan"].value == "Kegiatan Warga"
    dead = by_id[reports["death"].pk]
    assert dead["NIK Almarhum"].data_type == "s" and dead["NIK Almarhum"].quotePrefix
    assert dead["Status"].value == "Disetujui"
    assert by_id[reports["issue"].pk]["Tindak Lanjut"].value == "Diproses"
    assert by_id[reports["issue"].pk]["Jenis Laporan"].value == "Permasalahan"
    assert by_id[reports["gotong_royong"].pk]["Alasan Keputusan"].value == "Foto kurang"


def test_csv_marks_formula_leaders_with_an_apostrophe(actors, reports):
    from backend.reports.models import IssueDetail

    IssueDetail.objects.filter(report=reports["issue"]).update(title="+62 lampu", location="@A1")

    table = csv_table(reports_export(actor=actors.staf_kelurahan, fmt="csv", delimiter=","), ",")

    issue = next(r for r in table if r["No. Laporan"] == str(reports["issue"].pk))
    assert issue["Judul"] == "'+62 lampu"
    assert issue["Lokasi"] == "'@A1"
    assert issue["RT"] == "'001"


@pytest.mark.parametrize("reveal", [True, False], ids=["full-nik", "masked"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(actors, reports, population, fmt, reveal):
    """Every kind and state, phone-made and imported alike; masked NIKs compare as masked."""
    staff = actors.staf_kelurahan
    from backend.reports.models import ActivityDetail

    ActivityDetail.objects.filter(report=reports["activity"]).update(
        title="=Judul Aneh", description="Baris satu.\nBaris dua;  dengan ; titik koma."
    )
    before = list(Report.objects.order_by("pk").values_list("pk", "state", "content_hash"))
    export = reports_export(actor=staff, fmt=fmt, reveal=reveal)
    events = AuditEvent.objects.count()

    job = upload_file(
        staff, population.rt1.rt.kelurahan, f"laporan.{fmt}", export.file.read(), "reports"
    )

    job.refresh_from_db()
    assert job.status == "preview", job.failure
    assert problems(job) == []
    assert rows(job) == {
        "total": 6, "new": 0, "updated": 0, "unchanged": 6, "invalid": 0, "warnings": 0
    }  # fmt: skip
    assert AuditEvent.objects.count() == events
    assert list(Report.objects.order_by("pk").values_list("pk", "state", "content_hash")) == before


def test_an_edited_export_is_refused_row_by_row_and_names_the_columns(actors, reports, population):
    staff = actors.staf_kelurahan
    export = reports_export(actor=staff, fmt="csv", kind=Kind.ACTIVITY)
    text = export.file.read().decode("utf-8-sig").replace("Posyandu balita", "Posyandu lansia")
    text = text.replace(";24;", ";25;")

    job = upload_file(staff, population.rt1.rt.kelurahan, "laporan.csv", text.encode(), "reports")

    job.refresh_from_db()
    assert problems(job) == [(2, "Judul", "report_exists_differs")]
    message = job.problems.get().message
    assert f"#{reports['activity'].pk}" in message
    assert "Judul" in message and "Jumlah Peserta" in message


def test_export_selected_in_the_report_admin_stays_within_scope(actors, reports):
    model_admin = admin.site._registry[Report]
    assert isinstance(model_admin, ScopedExportMixin)
    request = RequestFactory().post(
        "/", {"action": "export_selected", "confirm_export": "yes", "fmt": "csv;"}
    )
    request.user = actors.staf_kelurahan
    assert "export_selected" in model_admin.get_actions(request)
    chosen = [reports["activity"].pk, reports["death"].pk, reports["karang_jati"].pk]

    response = export_selected(model_admin, request, Report.objects.filter(pk__in=chosen))

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert {int(r["No. Laporan"]) for r in table} == {reports["activity"].pk, reports["death"].pk}


def test_export_selected_is_not_offered_to_the_ketua_rt(actors):
    model_admin = admin.site._registry[Report]
    request = RequestFactory().get("/")
    request.user = actors.ketua_rt_1

    assert "export_selected" not in model_admin.get_actions(request)


def test_export_page_sends_a_filtered_report_file(client, actors, reports):
    client.force_login(actors.lurah)
    page = client.get("/admin/imports/importjob/export/").content.decode()
    assert 'value="reports"' in page and 'name="date_from"' in page

    response = client.post(
        "/admin/imports/importjob/export/",
        {"kind": "reports", "fmt": "csv;", "report_kind": Kind.NIHIL, "state": ""},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="laporan-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert {int(r["No. Laporan"]) for r in csv.DictReader(io.StringIO(body), delimiter=";")} == {
        reports["rt2"].pk,  # not the Ketua RT's draft
    }


def test_the_export_period_is_typed_and_shown_day_first(actors):
    from datetime import date

    from admin_config.imports import ExportForm

    form = ExportForm(
        data={
            "kind": "reports",
            "format": "xlsx",
            "date_from": "01-11-2026",
            "date_to": "30/11/2026",
        },
        actor=actors.staf_kelurahan,
    )
    form.is_valid()
    assert "date_from" not in form.errors and "date_to" not in form.errors
    assert (form.cleaned_data["date_from"], form.cleaned_data["date_to"]) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    html = str(ExportForm(actor=actors.staf_kelurahan, initial={"date_from": date(2026, 11, 1)}))
    assert 'value="01-11-2026"' in html and 'type="date"' not in html
