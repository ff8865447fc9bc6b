"""The job: all-or-nothing, only-valid rows, re-imports, crashes, heads, audit, queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.audit.models import AuditEvent
from backend.common.errors import DomainError
from backend.imports import runner, services
from backend.imports.kinds import population as population_kind
from backend.imports.models import ImportJob
from backend.population import codes
from backend.population.bulk import ResidentBulkImport
from backend.population.models import Household, Resident
from backend.population.synthetic import make_nik, make_no_kk
from tests.imports.conftest import problems, rows, upload_file

HEADER = "NIK;Nama Lengkap;No. KK;Hubungan Keluarga;Jenis Kelamin;Tanggal Lahir;Alamat;RT"


def nik(serial: int, sex: int = 1, born=dt.date(1980, 1, 2)) -> str:
    return make_nik("647104", sex, born, serial)


def kk(serial: int) -> str:
    return make_no_kk("647104", dt.date(2015, 3, 2), serial)


def line(serial, name, kk_serial, relation="Anak", sex="L", born="02-01-1980", rt="003",
         address="Jl. Uji 1") -> str:  # fmt: skip
    sex_code = 1 if sex == "L" else 2
    born_date = dt.datetime.strptime(born, "%d-%m-%Y").date()
    return ";".join(
        [nik(serial, sex_code, born_date), name, kk(kk_serial), relation, sex, born, address, rt]
    )


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


def family(kk_serial: int, size: int = 3, rt: str = "003") -> list[str]:
    out = [line(kk_serial * 10 + 1, f"Kepala {kk_serial}", kk_serial, "Kepala Keluarga", rt=rt)]
    for i in range(2, size + 1):
        out.append(line(kk_serial * 10 + i, f"Anak {kk_serial}-{i}", kk_serial, rt=rt))
    return out


def run(actor, kelurahan, content: bytes, *, valid_only=False) -> ImportJob:
    job = upload_file(actor, kelurahan, "warga.csv", content)
    job.refresh_from_db()
    assert job.status == "preview", job.failure
    services.import_job_confirm(actor=actor, job=job, valid_only=valid_only)
    job.refresh_from_db()
    return job


def test_importing_the_same_file_again_changes_nothing(staff, karang_rejo):
    content = csv(*family(1), *family(2))
    first = run(staff, karang_rejo, content)
    assert first.status == "done"
    assert rows(first, "result_counts") == {
        "total": 6, "new": 6, "updated": 0, "unchanged": 0, "invalid": 0, "warnings": 0
    }  # fmt: skip
    events = AuditEvent.objects.count()

    second = run(staff, karang_rejo, content)

    assert rows(second, "result_counts")["unchanged"] == 6
    assert second.result_counts["secondary"] == {
        "new": 0, "updated": 0, "unchanged": 2, "invalid": 0
    }  # fmt: skip
    assert Resident.objects.count() == 6
    # Only the job's own summary event; no resident or household changed.
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("id").action == "imported"


def test_every_change_is_audited_in_bulk_with_the_job_id(staff, karang_rejo):
    job = run(staff, karang_rejo, csv(*family(1)))

    events = AuditEvent.objects.filter(job_id=str(job.pk))
    assert events.count() == 3 + 1 + 1  # residents, the household, the job summary
    assert set(events.values_list("door", flat=True)) == {"import"}
    created = events.filter(action="created", entity_type="population.resident")
    assert created.count() == 3
    one = created.first()
    assert one.actor == staff
    # A creation holds the whole new record, as a single registration does.
    assert one.snapshot["name"].startswith(("Kepala", "Anak"))
    assert one.snapshot["nik"] and one.snapshot["household"]
    assert one.rt_id and one.kelurahan_id == karang_rejo.pk


def test_an_invalid_row_blocks_the_whole_import_by_default(staff, karang_rejo):
    bad = line(99, "Tanggal Salah", 9, "Kepala Keluarga").replace("02-01-1980", "31-02-1980")
    job = upload_file(staff, karang_rejo, "warga.csv", csv(*family(1), bad))
    job.refresh_from_db()
    assert rows(job)["invalid"] == 1

    with pytest.raises(DomainError) as refused:
        services.import_job_confirm(actor=staff, job=job)

    assert refused.value.code == "job_has_errors"
    assert Resident.objects.count() == 0

    services.import_job_confirm(actor=staff, job=job, valid_only=True)
    job.refresh_from_db()
    assert job.status == "done"
    assert rows(job, "result_counts")["new"] == 3
    assert rows(job, "result_counts")["invalid"] == 1
    assert Resident.objects.count() == 3


def test_a_row_that_became_invalid_since_the_preview_aborts_everything(staff, karang_rejo, regions):
    """Someone registered one of the file's NIKs in another kelurahan after the preview."""
    content = csv(*family(1), *family(2))
    job = upload_file(staff, karang_rejo, "warga.csv", content)
    job.refresh_from_db()
    assert rows(job)["invalid"] == 0
    other = Household.objects.create(
        no_kk=kk(500), rt=regions.rt(regions.karang_jati, 1), address="Jl. Lain"
    )
    Resident.objects.create(
        nik=nik(21), name="Sudah Terdaftar", sex=1, birth_date=dt.date(1980, 1, 2),
        relationship=codes.Relationship.CHILD, household=other, rt=other.rt,
    )  # fmt: skip

    services.import_job_confirm(actor=staff, job=job)

    job.refresh_from_db()
    assert job.status == "failed"
    assert "1" in job.failure
    assert Resident.objects.count() == 1
    assert Household.objects.count() == 1
    assert problems(job, "error") == [(5, "NIK", "out_of_scope")]


def test_a_crash_in_the_middle_of_the_run_leaves_nothing_written(staff, karang_rejo, monkeypatch):
    monkeypatch.setattr(population_kind, "CHUNK_ROWS", 3)
    job = upload_file(staff, karang_rejo, "warga.csv", csv(*family(1), *family(2), *family(3)))
    job.refresh_from_db()
    calls = {"n": 0}
    original = ResidentBulkImport._write_residents

    def flaky(self, items):
        calls["n"] += 1
        if calls["n"] == 4:  # after the first chunk has been written
            raise ConnectionError("database went away")
        return original(self, items)

    monkeypatch.setattr(ResidentBulkImport, "_write_residents", flaky)
    events_before = AuditEvent.objects.count()

    services.import_job_confirm(actor=staff, job=job)

    job.refresh_from_db()
    assert calls["n"] >= 4
    assert job.status == "failed"
    assert "Nothing was imported" in job.failure or "Tidak ada" in job.failure
    assert Resident.objects.count() == 0
    assert Household.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_confirming_twice_runs_once(staff, karang_rejo):
    job = run(staff, karang_rejo, csv(*family(1)))

    with pytest.raises(DomainError) as refused:
        services.import_job_confirm(actor=staff, job=job)

    assert refused.value.code == "job_not_ready"
    assert Resident.objects.count() == 3


def test_updates_change_only_what_differs_and_record_the_difference(staff, karang_rejo):
    run(staff, karang_rejo, csv(*family(1)))
    changed = family(1)
    changed[1] = changed[1].replace("Anak 1-2", "Anak Satu Dua")

    job = run(staff, karang_rejo, csv(*changed))

    assert rows(job, "result_counts")["updated"] == 1
    assert rows(job, "result_counts")["unchanged"] == 2
    event = AuditEvent.objects.get(job_id=str(job.pk), action="updated")
    assert event.changes == {"name": ["Anak 1-2", "Anak Satu Dua"]}


def test_a_column_the_file_lacks_is_left_alone(staff, karang_rejo):
    run(staff, karang_rejo, csv(*family(1)))
    Resident.objects.filter(nik=nik(11)).update(phone="081200001111")
    header = "NIK;Nama Lengkap;No. KK;Hubungan Keluarga;Jenis Kelamin;Tanggal Lahir;RT"
    lines = [";".join([*x.split(";")[:6], "003"]) for x in family(1)]

    job = run(staff, karang_rejo, csv(*lines, header=header))

    assert rows(job, "result_counts")["unchanged"] == 3
    assert Resident.objects.get(nik=nik(11)).phone == "081200001111"
    assert Household.objects.get().address == "Jl. Uji 1"


def test_a_second_head_for_a_household_that_has_one_is_refused(staff, karang_rejo):
    run(staff, karang_rejo, csv(*family(1)))
    newcomer = line(19, "Kepala Baru", 1, "Kepala Keluarga")

    job = upload_file(staff, karang_rejo, "warga.csv", csv(newcomer))

    job.refresh_from_db()
    assert problems(job, "error") == [(2, "Hubungan Keluarga", "household_has_head")]


def test_changing_the_head_in_one_file_demotes_the_old_head_first(staff, karang_rejo):
    run(staff, karang_rejo, csv(*family(1)))
    lines = family(1)
    lines[0] = lines[0].replace("Kepala Keluarga", "Famili Lain")
    lines[1] = lines[1].replace(";Anak;", ";Kepala Keluarga;")

    job = run(staff, karang_rejo, csv(*lines))

    assert job.status == "done", job.failure
    assert rows(job, "result_counts")["updated"] == 2
    head = Resident.objects.get(relationship=codes.Relationship.HEAD)
    assert head.nik == nik(12)


def test_an_old_head_moving_out_in_a_later_chunk_still_lets_the_new_head_in(
    staff, karang_rejo, monkeypatch
):
    """The new head's KK comes first in the file; the old head's move comes later."""
    run(staff, karang_rejo, csv(*family(1)))
    monkeypatch.setattr(population_kind, "CHUNK_ROWS", 1)
    new_head = line(12, "Anak 1-2", 1, "Kepala Keluarga")
    old_head_moves = line(11, "Kepala 1", 7, "Kepala Keluarga", address="Jl. Baru 7")

    job = run(staff, karang_rejo, csv(new_head, old_head_moves))

    assert job.status == "done", job.failure
    assert Resident.objects.get(nik=nik(12)).relationship == codes.Relationship.HEAD
    moved = Resident.objects.get(nik=nik(11))
    assert moved.household.no_kk == kk(7)
    assert moved.relationship == codes.Relationship.HEAD


def test_a_household_moving_rt_takes_the_members_the_file_does_not_list(staff, karang_rejo):
    run(staff, karang_rejo, csv(*family(1)))

    job = run(staff, karang_rejo, csv(family(1, rt="009")[0]))

    assert job.status == "done", job.failure
    assert set(Resident.objects.values_list("rt__number", flat=True)) == {9}
    moved = AuditEvent.objects.filter(job_id=str(job.pk), note="household moved")
    assert moved.count() == 2


def test_residents_without_nik_are_matched_by_name_and_birth_date(staff, karang_rejo):
    baby = ";".join(["0", "Bayi Tanpa NIK", kk(1), "Anak", "P", "01-02-2024", "Jl. Uji 1", "003"])
    run(staff, karang_rejo, csv(*family(1), baby))
    assert Resident.objects.filter(nik__isnull=True).count() == 1

    again = run(staff, karang_rejo, csv(*family(1), baby))
    assert rows(again, "result_counts")["unchanged"] == 4

    with_nik = baby.replace("0;", make_nik("647104", 2, dt.date(2024, 2, 1), 77) + ";", 1)
    later = run(staff, karang_rejo, csv(with_nik))
    assert rows(later, "result_counts")["updated"] == 1
    assert Resident.objects.filter(nik__isnull=True).count() == 0
    assert Resident.objects.count() == 4


def test_a_nik_registered_outside_the_importers_region_is_refused(staff, karang_rejo, population):
    stranger = population.sepinggan.residents.first()
    row = ";".join([stranger.nik, "Pindahan", kk(3), "Kepala Keluarga", "L", "17-05-1975",
                    "Jl. Uji 3", "003"])  # fmt: skip

    job = upload_file(staff, karang_rejo, "warga.csv", csv(row))

    job.refresh_from_db()
    assert problems(job, "error") == [(2, "NIK", "out_of_scope")]


def test_query_count_of_the_bulk_path_does_not_grow_with_rows(staff, karang_rejo, monkeypatch):
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 3600)
    assert staff.scope.has("population.import")  # the actor's scope is built once

    def queries(families: range) -> tuple[int, int]:
        content = csv(*[x for f in families for x in family(f)])
        with CaptureQueriesContext(connection) as check:
            job = upload_file(staff, karang_rejo, "warga.csv", content)
        with CaptureQueriesContext(connection) as write:
            services.import_job_confirm(actor=staff, job=job)
        job.refresh_from_db()
        assert job.status == "done", job.failure
        return len(check), len(write)

    small = queries(range(1, 4))  # 9 residents, 3 KK
    large = queries(range(10, 40))  # 90 residents, 30 KK
    assert small == large


def test_the_job_reports_progress_for_the_bar(staff, karang_rejo):
    job = run(staff, karang_rejo, csv(*family(1)))

    progress = job.progress()

    assert progress["status"] == "done"
    assert progress["total_rows"] == progress["rows_done"] == 3
    assert progress["percent"] == 100
    assert progress["active"] is False


def test_a_worker_that_stopped_reporting_makes_the_job_stale(staff, karang_rejo):
    job = upload_file(staff, karang_rejo, "warga.csv", csv(*family(1)))
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    job.refresh_from_db()

    assert job.is_stale
    cancelled = services.import_job_cancel(actor=staff, job=job)
    assert cancelled.status == "cancelled"
    again = services.import_job_recheck(actor=staff, job=job)
    assert again.status == "preview"


def test_a_file_with_more_rows_than_allowed_is_refused(staff, karang_rejo, settings):
    settings.LAPOR_RT = {**settings.LAPOR_RT, "IMPORT_MAX_ROWS": 5}

    job = upload_file(staff, karang_rejo, "warga.csv", csv(*family(1), *family(2)))

    job.refresh_from_db()
    assert job.status == "failed"
    assert "5" in job.failure


def test_pruning_old_jobs_deletes_the_file_and_the_problems(staff, karang_rejo):
    from django.core.management import call_command

    job = run(staff, karang_rejo, csv(*family(1)))
    bad = upload_file(staff, karang_rejo, "b.csv", csv(family(2)[0].replace("02-01", "31-02")))
    path = job.file.path
    ImportJob.objects.update(finished_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    ImportJob.objects.filter(pk=bad.pk).update(checked_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    call_command("prune_imports", "--days", "30")

    job.refresh_from_db()
    bad.refresh_from_db()
    assert not job.file and not bad.file
    assert not bad.problems.exists()
    assert bad.status == "cancelled"
    assert rows(job, "result_counts")["new"] == 3  # the record of what happened stays
    assert not Path(path).exists()


def test_members_of_one_kk_in_different_rts_are_refused(staff, karang_rejo):
    lines = family(1)
    lines[2] = lines[2].rsplit(";", 1)[0] + ";004"

    job = upload_file(staff, karang_rejo, "warga.csv", csv(*lines))

    job.refresh_from_db()
    assert problems(job, "error") == [(4, "RT", "kk_rt_mismatch")]
    assert rows(job)["new"] == 2


def test_the_same_person_without_nik_twice_in_one_kk_is_refused(staff, karang_rejo):
    baby = ";".join(["", "Bayi", kk(1), "Anak", "P", "01-02-2024", "Jl. Uji 1", "003"])

    job = upload_file(staff, karang_rejo, "warga.csv", csv(*family(1), baby, baby))

    job.refresh_from_db()
    assert problems(job, "error") == [
        (5, "Nama Lengkap", "person_duplicate_in_file"),
        (6, "Nama Lengkap", "person_duplicate_in_file"),
    ]


def test_households_file_refuses_a_kk_twice_and_a_kk_outside_the_region(
    staff, karang_rejo, population
):
    header = "No. KK;Alamat;RT;Kelurahan"
    content = csv(
        f"{kk(1)};Jl. Satu;003;Karang Rejo",
        f"{kk(1)};Jl. Dua;003;Karang Rejo",
        f"{population.sepinggan.no_kk};Jl. Pantai;001;Karang Rejo",
        f"{kk(2)};Jl. Tiga;005;Karang Rejo",
        header=header,
    )

    job = upload_file(staff, karang_rejo, "kk.csv", content, kind="households")

    job.refresh_from_db()
    assert problems(job, "error") == [
        (2, "No. KK", "kk_duplicate_in_file"),
        (3, "No. KK", "kk_duplicate_in_file"),
        (4, "No. KK", "out_of_scope"),
    ]
    services.import_job_confirm(actor=staff, job=job, valid_only=True)
    assert Household.objects.get(no_kk=kk(2)).address == "Jl. Tiga"
    assert Household.objects.get(pk=population.sepinggan.pk).address != "Jl. Pantai"


def test_a_new_member_of_a_kk_whose_head_is_in_lapor_rt_gets_no_head_warning(staff, karang_rejo):
    run(staff, karang_rejo, csv(*family(1)))
    baby = line(19, "Bayi Baru", 1, born="01-02-2024")

    job = upload_file(staff, karang_rejo, "warga.csv", csv(baby, *family(2)[1:]))

    job.refresh_from_db()
    assert job.status == "preview", job.failure
    # KK 1 keeps its head in Lapor RT; KK 2 is new and its head's row is missing.
    assert problems(job, "warning") == [(3, "Hubungan Keluarga", "household_without_head")]


def test_progress_text_is_indonesian_with_rows_done_rate_and_time_left():
    from django.utils import translation

    from backend.imports.models import progress_text

    with translation.override("id"):
        assert progress_text(1200, 5000, 350.54, 10.4) == (
            "1.200 dari 5.000 baris · 350,5 baris/detik · sekitar 10 detik lagi"
        )
        assert progress_text(1200, 100_000, 10, 4000) == (
            "1.200 dari 100.000 baris · 10,0 baris/detik · sekitar 1 jam 6 menit lagi"
        )
        assert progress_text(40, 0, 0, None) == "40 baris"


def test_a_row_that_renames_or_moves_an_existing_resident_is_warned_in_the_preview(
    staff, karang_rejo
):
    """A mistyped NIK would rewrite somebody else: the preview says so, row by row."""
    run(staff, karang_rejo, csv(*family(1)))
    renamed = line(12, "Orang Lain Sama Sekali", 1)
    moved = line(13, "Anak 1-3", 2, "Kepala Keluarga")  # to a new KK of their own

    job = upload_file(staff, karang_rejo, "warga.csv", csv(renamed, moved))

    job.refresh_from_db()
    assert problems(job, "warning") == [
        (2, "NIK", "nik_other_name"),
        (3, "No. KK", "moves_household"),
    ]
    message = job.problems.get(code="nik_other_name").message
    assert "Anak 1-2" in message and "NIK" in message
