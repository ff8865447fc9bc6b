"""Historical reports through the import job: who may, what is refused, natural keys,
checks repeated at run time, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.common.errors import DomainError
from backend.imports import runner, services
from backend.population import codes
from backend.population.models import Resident
from backend.reports import services as report_services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.conftest import make_household
from tests.imports.conftest import problems, rows, upload_file
from tests.imports.report_people import ALIVE, register_people

HEADER = "Tanggal;RT;Jenis Laporan;Kategori;Judul;Tempat;Jumlah Peserta"
DEATH_HEADER = (
    "Tanggal;RT;Jenis Laporan;NIK Almarhum;Tanggal Meninggal;Tempat Meninggal;Nama Pelapor;"
    "Hubungan Pelapor"
)


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


def activity(day: str, title: str = "Rapat warga", rt: str = "001") -> str:
    return f"{day};{rt};Kegiatan Warga;Rapat Warga;{title};Balai RT;20"


def dead(day: str, nik: str, died: str, rt: str = "001") -> str:
    return f"{day};{rt};Laporan Kematian;{nik};{died};Rumah;Keluarga Uji;Anak"


def check(actor, kelurahan, content: bytes):
    job = upload_file(actor, kelurahan, "laporan.csv", content, kind="reports")
    job.refresh_from_db()
    assert job.status == "preview", job.failure
    return job


def run(actor, kelurahan, content: bytes, *, valid_only: bool = False):
    job = check(actor, kelurahan, content)
    services.import_job_confirm(actor=actor, job=job, valid_only=valid_only)
    job.refresh_from_db()
    return job


# -- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ketua_rt_1", "camat", "staf_kecamatan", "no_role"])
def test_who_may_not_import_cannot_start_a_report_import(actors, karang_rejo, who):
    with pytest.raises(DomainError) as refused:
        upload_file(
            getattr(actors, who), karang_rejo, "l.csv", csv(activity("05-01-2025")), "reports"
        )

    assert refused.value.code == "permission_denied"


def test_a_kelurahan_outside_the_region_is_refused_at_upload(actors, regions):
    with pytest.raises(DomainError) as refused:
        upload_file(
            actors.staf_kelurahan,
            regions.karang_jati,
            "l.csv",
            csv(activity("05-01-2025")),
            "reports",
        )

    assert refused.value.code == "out_of_scope"


def test_the_reports_kind_is_offered_to_those_who_decide_on_reports(actors):
    assert "reports" in dict(services.import_kind_choices(actor=actors.staf_kelurahan))
    assert "reports" in dict(services.import_kind_choices(actor=actors.lurah))


def test_rows_of_another_kelurahan_are_refused_row_by_row(actors, regions):
    """The Lurah of Karang Jati imports a file whose rows name Karang Rejo."""
    header = f"{HEADER};Kelurahan"
    content = csv(
        f"{activity('05-01-2025')};Karang Rejo",
        f"{activity('06-01-2025')};Karang Jati",
        header=header,
    )

    job = check(actors.lurah_karang_jati, regions.karang_jati, content)

    assert problems(job) == [(2, "RT", "out_of_scope")]
    assert rows(job)["new"] == 1


def test_a_report_number_of_another_region_is_not_found_and_reveals_nothing(
    actors, regions, karang_rejo
):
    from tests.reports.conftest import make_report

    elsewhere = make_report(regions.rt(regions.karang_jati, 1), dt.date(2025, 1, 5))
    header = f"No. Laporan;{HEADER}"

    job = check(
        actors.staf_kelurahan,
        karang_rejo,
        csv(f"{elsewhere.pk};{activity('05-01-2025')}", header=header),
    )

    assert problems(job) == [(2, "No. Laporan", "not_found")]


# -- what is refused ----------------------------------------------------------------


def test_a_kind_needs_its_columns_and_says_which_is_missing(actors, karang_rejo):
    header = "Tanggal;RT;Jenis Laporan;Kategori;Judul"

    job = check(
        actors.staf_kelurahan,
        karang_rejo,
        csv("05-01-2025;001;Kegiatan;Rapat;Rapat RT", header=header),
    )

    # One problem for each column the row needed (its row-level note goes to the failed rows).
    messages = {p.column: p.message for p in job.problems.filter(code="missing_column")}
    assert set(messages) == {"Tempat", "Jumlah Peserta"}
    assert "Tempat" in messages["Tempat"] and "kolom" in messages["Tempat"]
    notes = {p.field: p.message for p in job.problems.filter(code="missing_column_row")}
    assert set(notes) == {"place", "participants"}


def test_cells_a_kind_does_not_use_are_imported_with_a_warning(actors, karang_rejo):
    job = check(
        actors.staf_kelurahan, karang_rejo, csv("05-01-2025;001;Nihil;;Tidak ada kejadian;;")
    )

    assert problems(job) == [(2, "Judul", "not_for_this_kind")]
    assert rows(job)["new"] == 1 and rows(job)["warnings"] == 1


def test_an_issue_must_say_whether_it_is_a_problem_a_need_or_a_potential(actors, karang_rejo):
    header = "Tanggal;RT;Jenis Laporan;Kategori;Judul;Lokasi;Uraian"
    content = csv(
        "05-01-2025;001;Permasalahan, kebutuhan, atau potensi;Lingkungan;Sampah;Gang 3;Menumpuk",
        "06-01-2025;001;Kebutuhan;Lingkungan;Tong sampah;Gang 3;Dua tong",
        header=header,
    )

    job = run(actors.staf_kelurahan, karang_rejo, content, valid_only=True)

    assert problems(job) == [(2, "Jenis Laporan", "invalid")]
    assert Report.objects.get().issuedetail.issue_type == "need"


def test_a_masked_nik_of_a_new_report_is_refused(actors, karang_rejo, regions):
    register_people(regions)
    masked = ALIVE.nik[:6] + "********" + ALIVE.nik[-4:]

    job = check(
        actors.staf_kelurahan,
        karang_rejo,
        csv(dead("15-03-2025", masked, "14-03-2025"), header=DEATH_HEADER),
    )

    assert problems(job) == [(2, "NIK Almarhum", "masked")]


def test_a_death_recorded_on_another_day_in_the_population_is_refused(actors, karang_rejo, regions):
    people = register_people(regions)
    deceased = people["deceased"]

    job = check(
        actors.staf_kelurahan,
        karang_rejo,
        csv(dead("20-03-2025", deceased.nik, "19-03-2025"), header=DEATH_HEADER),
    )

    assert problems(job) == [(2, "Tanggal Meninggal", "death_date_differs")]
    assert "10-03-2025" in job.problems.get().message


def test_a_death_dated_after_its_report_is_refused(actors, karang_rejo, regions):
    register_people(regions)

    job = check(
        actors.staf_kelurahan,
        karang_rejo,
        csv(dead("15-03-2025", ALIVE.nik, "16-03-2025"), header=DEATH_HEADER),
    )

    assert problems(job) == [(2, "Tanggal Meninggal", "invalid")]


def test_a_death_already_reported_from_the_phone_is_the_same_report(actors, karang_rejo, regions):
    """The RT reported the death from the phone; the kelurahan's register lists it too."""
    people = register_people(regions)
    from tests.reports.conftest import death, save

    phone = save(
        actors.ketua_rt_1,
        Kind.DEATH,
        death(people["alive"], death_date=dt.date(2025, 3, 14), place="home", cause=None),
        report_date=None,
    ).report
    line = dead(f"{phone.report_date:%d-%m-%Y}", ALIVE.nik, "14-03-2025")

    job = check(actors.staf_kelurahan, karang_rejo, csv(line, header=DEATH_HEADER))

    assert rows(job)["unchanged"] == 1
    other_day = line.replace("14-03-2025", "13-03-2025")
    job = check(actors.staf_kelurahan, karang_rejo, csv(other_day, header=DEATH_HEADER))
    assert problems(job) == [(2, "Tanggal Meninggal", "report_exists_differs")]
    message = job.problems.get().message
    # The differing columns close the sentence: no ". (" or ".;" in the middle.
    assert message.endswith(": Tanggal Meninggal).") and ". (" not in message


# -- natural keys and the run ---------------------------------------------------------


def test_titles_are_compared_ignoring_case_and_spacing(actors, karang_rejo):
    run(actors.staf_kelurahan, karang_rejo, csv(activity("05-01-2025", "Rapat  RT  Januari")))

    again = check(
        actors.staf_kelurahan, karang_rejo, csv(activity("05-01-2025", "rapat rt januari"))
    )

    assert rows(again)["unchanged"] == 1


def test_after_a_rejection_the_same_row_makes_a_new_report(actors, karang_rejo, regions):
    """A rejected report is replaced by a new one; its client key counts the rejections."""
    people = register_people(regions)
    line = dead("15-03-2025", ALIVE.nik, "14-03-2025")
    first = run(actors.staf_kelurahan, karang_rejo, csv(line, header=DEATH_HEADER))
    assert first.status == "done"
    waiting = Report.objects.get(deathdetail__resident=people["alive"])
    assert waiting.state == State.SUBMITTED and waiting.client_key.endswith("-0")
    report_services.report_reject(actor=actors.lurah, report=waiting, reason="Tanggal keliru")

    again = run(actors.staf_kelurahan, karang_rejo, csv(line, header=DEATH_HEADER))

    assert again.status == "done", again.failure
    assert rows(again, "result_counts")["new"] == 1
    replacement = Report.objects.exclude(pk=waiting.pk).get()
    assert replacement.state == State.SUBMITTED
    assert replacement.client_key == waiting.client_key[:-2] + "-1"


def test_a_row_that_became_invalid_since_the_preview_aborts_everything(
    actors, karang_rejo, regions
):
    people = register_people(regions)
    content = csv(
        activity("05-01-2025"),
        header=HEADER,
    )
    deaths = csv(dead("15-03-2025", ALIVE.nik, "14-03-2025"), header=DEATH_HEADER)
    job = check(actors.staf_kelurahan, karang_rejo, deaths)
    assert rows(job)["new"] == 1
    # Meanwhile someone records the death on another day.
    Resident.objects.filter(pk=people["alive"].pk).update(
        status=codes.LifeStatus.DECEASED, status_date=dt.date(2025, 3, 1)
    )

    services.import_job_confirm(actor=actors.staf_kelurahan, job=job)

    job.refresh_from_db()
    assert job.status == "failed"
    assert Report.objects.count() == 0
    assert problems(job) == [(2, "Tanggal Meninggal", "death_date_differs")]
    # The activity file, checked now, is unaffected.
    assert rows(check(actors.staf_kelurahan, karang_rejo, content))["new"] == 1


WIDE = [
    "Tanggal", "RT", "Jenis Laporan", "Kategori", "Judul", "Tempat", "Jumlah Peserta",
    "NIK Almarhum", "Tanggal Meninggal", "Tempat Meninggal", "Nama Pelapor", "Hubungan Pelapor",
]  # fmt: skip


def wide(**cells) -> str:
    return ";".join(str(cells.get(h, "")) for h in WIDE)


def test_query_count_does_not_grow_with_rows(actors, karang_rejo, regions, monkeypatch):
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 3600)
    staff = actors.staf_kelurahan
    rt1 = regions.rt(karang_rejo, 1)
    residents = [r for _ in range(8) for r in make_household(rt1, members=5).residents.all()]
    assert staff.scope.has("population.import")  # the scope is built once

    def queries(start: int, count: int) -> tuple[int, int]:
        lines = []
        for i in range(start, start + count):
            day = f"{dt.date(2025, 1, 1) + dt.timedelta(days=i):%d-%m-%Y}"
            common = {"Tanggal": day, "RT": "001"}
            lines += [
                wide(**common, **{"Jenis Laporan": "Kegiatan Warga", "Kategori": "Rapat",
                                  "Judul": f"Rapat {i}", "Tempat": "Balai RT",
                                  "Jumlah Peserta": 20}),
                wide(**{**common, "RT": "002"}, **{"Jenis Laporan": "Nihil"}),
                wide(**common, **{"Jenis Laporan": "Kematian", "NIK Almarhum": residents[i].nik,
                                  "Tanggal Meninggal": day, "Tempat Meninggal": "Rumah",
                                  "Nama Pelapor": "Keluarga", "Hubungan Pelapor": "Anak"}),
            ]  # fmt: skip
        content = csv(*lines, header=";".join(WIDE))
        with CaptureQueriesContext(connection) as checking:
            job = upload_file(staff, karang_rejo, "l.csv", content, "reports")
        job.refresh_from_db()
        assert rows(job)["invalid"] == 0, problems(job)
        with CaptureQueriesContext(connection) as writing:
            services.import_job_confirm(actor=staff, job=job)
        job.refresh_from_db()
        assert job.status == "done", job.failure
        return len(checking), len(writing)

    small = queries(0, 3)  # 9 reports
    large = queries(10, 30)  # 90 reports
    assert small == large
    assert Report.objects.count() == 99
    assert Report.objects.filter(state=State.SUBMITTED).count() == 33  # the deaths
