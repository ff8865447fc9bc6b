"""Historical RT reports from the sample files: the preview a clerk sees, what is stored,
which state each report gets, and that a second import changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from backend.audit.models import AuditEvent
from backend.common.errors import DomainError
from backend.imports import services
from backend.population import codes
from backend.population.models import Resident
from backend.reports import compliance
from backend.reports import services as report_services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.imports.conftest import problems, upload_sample
from tests.imports.report_people import ALIVE, DECEASED, DECEASED_ON, register_people
from tests.imports.test_samples import counts, preview


@pytest.fixture
def people(regions):
    return register_people(regions)


def imported(staff, kelurahan, name: str):
    job = upload_sample(staff, kelurahan, name, kind="reports")
    preview(job)
    services.import_job_confirm(actor=staff, job=job, valid_only=True)
    job.refresh_from_db()
    assert job.status == "done", job.failure
    return job


def test_xlsx_preview_names_every_damaged_row(staff, karang_rejo, people):
    """The header is in row 3 under a title; rows 4-16 are reports."""
    job = upload_sample(staff, karang_rejo, "laporan_riwayat.xlsx", kind="reports")

    assert preview(job) == counts(new=8, invalid=5, warnings=1)
    assert job.header_row == 3
    # One death report will wait for approval (its resident is still living).
    assert job.preview_counts["secondary"]["new"] == 1
    assert problems(job) == [
        (10, "Nama Almarhum", "name_differs"),  # a warning: the NIK's resident is Sumarni
        (11, "Jenis Laporan", "unknown_code"),  # "Laporan Banjir"
        (12, "Tanggal", "date_in_future"),  # 17-08-2099
        (13, "RT", "out_of_scope"),  # RT 001 of Karang Jati
        (14, "NIK Almarhum", "resident_outside_rt"),  # lives in RT 002
        (16, "Tanggal", "invalid_date"),  # 04/13/2025: day first, there is no month 13
    ]
    assert not [c for c in job.columns if c["state"] != "used"]


def test_csv_preview_with_header_variants_and_month_names(staff, karang_rejo, people):
    job = upload_sample(staff, karang_rejo, "laporan_riwayat.csv", kind="reports")

    assert preview(job) == counts(new=2, invalid=8)
    assert job.file_description == "CSV, UTF-8 (BOM), ';'"
    assert {c["header"]: c["key"] for c in job.columns} == {
        "Tgl Laporan": "report_date",
        "No RT": "rt",
        "Jenis": "kind",
        "Jenis Kegiatan": "category",
        "Nama Kegiatan": "title",
        "Tempat Kegiatan": "place",
        "Peserta": "participants",
        "Keterangan": "note",
        "NIK": "resident_nik",
        "Nama": "resident_name",
        "Tgl Meninggal": "death_date",
        "Meninggal Di": "death_place",
        "Pelapor": "informant_name",
        "Hubungan": "informant_relationship",
    }
    assert problems(job) == [
        # 01/02/2025 is 1 February, day first: the same day as row 5.
        (4, "Tgl Laporan", "report_duplicate_in_file"),
        (5, "Tgl Laporan", "report_duplicate_in_file"),
        (6, "Tgl Laporan", "date_in_future"),
        (7, "Jenis", "unknown_code"),
        (8, "No RT", "unknown_rt"),
        (9, "Jenis", "kind_not_importable"),
        (10, "NIK", "resident_outside_rt"),
        (11, "Tgl Laporan", "invalid_date"),
    ]
    duplicate = job.problems.get(row_number=4)
    assert duplicate.value == "01-02-2025"
    assert "4, 5" in duplicate.message


def test_messages_are_in_indonesian(staff, karang_rejo, people):
    job = upload_sample(staff, karang_rejo, "laporan_riwayat.csv", kind="reports")

    messages = dict(job.problems.values_list("code", "message"))
    assert messages["kind_not_importable"].startswith("Laporan penduduk non permanen")
    assert "muncul lebih dari sekali" in messages["report_duplicate_in_file"]
    assert messages["resident_outside_rt"] == "Warga ini tidak tinggal di RT ini."


def test_xlsx_import_stores_each_kind_as_typed(staff, karang_rejo, people):
    imported(staff, karang_rejo, "laporan_riwayat.xlsx")

    posyandu = Report.objects.get(activitydetail__title="Posyandu balita Januari")
    assert posyandu.kind == Kind.ACTIVITY and posyandu.rt.number == 1
    assert posyandu.report_date == dt.date(2025, 1, 5)
    detail = posyandu.activitydetail
    assert (detail.category, detail.start_time, detail.participants) == (
        "posyandu",
        dt.time(8, 0),
        24,
    )
    assert detail.description == "Penimbangan 24 balita.\nImunisasi campak 3 anak."

    drains = Report.objects.get(gotongroyongdetail__title="Kerja bakti parit Jl. Mawar")
    gr = drains.gotongroyongdetail
    assert (gr.activity_type, gr.participants, gr.institutions) == ("drains", 30, ["pkk", "rt"])
    assert (gr.labour_value, gr.materials_value, gr.cash_value) == (1_500_000, 250_000, 0)
    assert gr.is_bbgrm is False
    # "BBGRM" written as the kind marks the gotong royong as BBGRM.
    assert Report.objects.get(
        gotongroyongdetail__title="Tanam pohon BBGRM"
    ).gotongroyongdetail.is_bbgrm

    issue = Report.objects.get(kind=Kind.ISSUE).issuedetail
    assert (issue.issue_type, issue.category, issue.location) == (
        "problem",
        "infrastructure",
        "Gang Melati",
    )
    assert issue.follow_up == "done" and issue.follow_up_by == staff

    # 03/04/2025 typed as text is 3 April (day first).
    assert Report.objects.filter(kind=Kind.NIHIL, report_date=dt.date(2025, 4, 3)).exists()
    assert Report.objects.count() == 8


def test_imported_reports_are_approved_records_but_a_death_to_apply_waits(
    staff, karang_rejo, people, actors
):
    imported(staff, karang_rejo, "laporan_riwayat.xlsx")

    states = dict(Report.objects.values_list("kind", "state").exclude(kind=Kind.DEATH))
    assert set(states.values()) == {State.APPROVED}
    approved = Report.objects.exclude(kind=Kind.DEATH).first()
    assert approved.reporter == staff and approved.decided_by == staff
    assert approved.client_key.startswith("import-")

    # Sumarni was already recorded deceased on that day: the report is her record,
    # approved, and the population is not touched again.
    recorded = Report.objects.get(deathdetail__resident=people["deceased"])
    assert recorded.state == State.APPROVED
    assert Resident.objects.get(pk=people["deceased"].pk).status_date == DECEASED_ON
    # Slamet is still living: his death report waits for someone else's approval.
    waiting = Report.objects.get(deathdetail__resident=people["alive"])
    assert waiting.state == State.SUBMITTED
    assert waiting.deathdetail.death_time == dt.time(23, 15)
    assert waiting.deathdetail.place == "hospital"
    assert Resident.objects.get(pk=people["alive"].pk).status == codes.LifeStatus.ALIVE

    with pytest.raises(DomainError) as refused:
        report_services.report_approve(actor=staff, report=waiting)
    assert refused.value.code == "own_report"
    report_services.report_approve(actor=actors.lurah, report=waiting)
    slamet = Resident.objects.get(pk=people["alive"].pk)
    assert slamet.status == codes.LifeStatus.DECEASED
    assert slamet.status_date == dt.date(2025, 3, 14)
    # His wife (the deceased Sumarni) stays as she was.
    assert Resident.objects.get(pk=people["deceased"].pk).status_date == DECEASED_ON


def test_importing_the_same_file_again_changes_nothing(staff, karang_rejo, people):
    imported(staff, karang_rejo, "laporan_riwayat.xlsx")
    reports = set(Report.objects.values_list("pk", "state", "content_hash"))
    events = AuditEvent.objects.count()

    again = imported(staff, karang_rejo, "laporan_riwayat.xlsx")

    assert again.result_counts["rows"] == counts(unchanged=8, invalid=5, warnings=1)
    assert set(Report.objects.values_list("pk", "state", "content_hash")) == reports
    assert AuditEvent.objects.count() == events + 1  # the job's own summary only


def test_another_clerk_importing_the_same_file_changes_nothing(actors, karang_rejo, people):
    imported(actors.staf_kelurahan, karang_rejo, "laporan_riwayat.xlsx")

    again = imported(actors.lurah, karang_rejo, "laporan_riwayat.xlsx")

    assert again.result_counts["rows"]["unchanged"] == 8
    assert Report.objects.count() == 8


def test_every_created_report_is_audited_in_bulk_with_the_job(staff, karang_rejo, people):
    job = imported(staff, karang_rejo, "laporan_riwayat.xlsx")

    events = AuditEvent.objects.filter(job_id=str(job.pk), entity_type="reports.report")
    assert set(events.values_list("door", flat=True)) == {"import"}
    created = events.filter(action="created")
    assert created.count() == 8
    assert events.filter(action="approved").count() == 7
    assert events.filter(action="submitted").count() == 1
    posyandu = created.get(entity_id=str(Report.objects.get(kind=Kind.ACTIVITY).pk))
    assert posyandu.changes["title"] == [None, "Posyandu balita Januari"]
    assert posyandu.actor == staff and posyandu.kelurahan_id == karang_rejo.pk
    assert AuditEvent.objects.filter(job_id=str(job.pk), action="imported").count() == 1


def test_imported_days_count_as_reported_for_compliance(staff, karang_rejo, people, regions):
    imported(staff, karang_rejo, "laporan_riwayat.xlsx")

    result = compliance.compute(
        actor=staff,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        kelurahan_id=karang_rejo.pk,
    )

    rt1 = next(r for r in result.rts if r.number == 1)
    # 5 Jan, 12 Jan, 3 Feb, 11 Mar, 15 Mar (waiting for approval counts), 3 Apr.
    assert rt1.reported == 6
    assert rt1.last_report == dt.date(2025, 4, 3)


def test_the_csv_import_keeps_what_is_valid(staff, karang_rejo, people):
    imported(staff, karang_rejo, "laporan_riwayat.csv")

    yasinan = Report.objects.get(kind=Kind.ACTIVITY)
    assert yasinan.activitydetail.category == "religious"  # "Pengajian"
    assert yasinan.activitydetail.participants == 40  # "40 orang"
    assert yasinan.note == "Rutin mingguan"
    assert yasinan.report_date == dt.date(2025, 1, 5)
    cleaning = Report.objects.get(kind=Kind.GOTONG_ROYONG)
    assert cleaning.gotongroyongdetail.activity_type == "cleaning"  # "Jumat bersih"
    assert cleaning.report_date == dt.date(2025, 8, 9)  # "9 Agt 2025"


def test_alive_and_deceased_people_are_who_the_samples_name(people):
    assert people["alive"].nik == ALIVE.nik
    assert people["deceased"].nik == DECEASED.nik


def test_the_admin_pages_take_a_report_file_and_give_back_its_failed_rows(
    client, staff, karang_rejo, people
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from backend.imports.models import ImportJob
    from tests.imports.conftest import SAMPLES

    client.force_login(staff)
    upload_page = client.get("/admin/imports/importjob/add/").content.decode()
    assert 'value="reports"' in upload_page and "Riwayat laporan RT" in upload_page
    upload = SimpleUploadedFile("laporan.xlsx", (SAMPLES / "laporan_riwayat.xlsx").read_bytes())

    client.post(
        "/admin/imports/importjob/add/",
        {"kind": "reports", "kelurahan": karang_rejo.pk, "file": upload},
    )

    job = ImportJob.objects.get()
    page = client.get(f"/admin/imports/importjob/{job.pk}/change/").content.decode()
    assert 'data-count="new">8<' in page and 'data-count="invalid">5<' in page
    assert "Laporan kematian menunggu persetujuan" in page
    assert "Laporan Banjir" in page
    failed = client.get(f"/admin/imports/importjob/{job.pk}/failed-rows/")
    wb = load_workbook(io.BytesIO(b"".join(failed.streaming_content)))
    table = [[c.value for c in row] for row in wb.active.iter_rows()]
    assert table[0][0] == "Tanggal" and table[0][-1] == "Kesalahan"
    assert len(table) == 1 + 5
