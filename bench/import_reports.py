"""Import a kelurahan's report history from XLSX and CSV, import it again, export it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_rt \\
        .venv/bin/python bench/import_reports.py [--rows 20000]

Generates a synthetic history for Karang Rejo's 87 RTs (nihil, activities,
gotong royong, issues and about 1% death reports of residents written
first), then, in a throwaway database, as the kelurahan staff:

- the dry run and the run of the XLSX file (every report new);
- the dry run of the CSV file of the same reports (every row unchanged:
  the natural keys at work);
- the export of every report, XLSX and CSV, and the dry run of that export
  (every row unchanged, matched on its number).

Prints seconds, rows/s and the process's peak memory. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import resource
import tempfile
import time
from pathlib import Path

from _harness import setup_django, throwaway_database, vendor

HEADERS = [
    "Tanggal", "RT", "Jenis Laporan", "Kategori", "Judul", "Tempat", "Lokasi",
    "Jumlah Peserta", "Uraian", "NIK Almarhum", "Tanggal Meninggal", "Tempat Meninggal",
    "Nama Pelapor", "Hubungan Pelapor",
]  # fmt: skip
ACTIVITY = ["Rapat Warga", "Posyandu", "Pengajian", "Olahraga", "Ronda"]
GOTONG = ["Parit", "Jumat bersih", "Penghijauan", "Perbaikan"]
ISSUE = ["Infrastruktur", "Lingkungan", "Keamanan", "Kesehatan"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(count: int, niks: list[str], seed: int = 7) -> list[list]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    rows, deaths = [], list(niks)
    for i in range(count):
        rt = i % 87 + 1
        day = start + dt.timedelta(days=i // 87)
        row = dict.fromkeys(HEADERS, "")
        row.update({"Tanggal": day, "RT": f"{rt:03d}"})
        pick = rng.random()
        if pick < 0.01 and deaths:
            row.update({
                "Jenis Laporan": "Laporan Kematian", "NIK Almarhum": deaths.pop(),
                "Tanggal Meninggal": day, "Tempat Meninggal": "Rumah",
                "Nama Pelapor": "Keluarga", "Hubungan Pelapor": "Anak",
            })  # fmt: skip
        elif pick < 0.45:
            row["Jenis Laporan"] = "Nihil"
        elif pick < 0.75:
            row.update({
                "Jenis Laporan": "Kegiatan Warga", "Kategori": rng.choice(ACTIVITY),
                "Judul": f"Kegiatan {i}", "Tempat": "Balai RT",
                "Jumlah Peserta": rng.randrange(5, 80), "Uraian": "Berjalan lancar.",
            })  # fmt: skip
        elif pick < 0.9:
            row.update({
                "Jenis Laporan": "Gotong Royong", "Kategori": rng.choice(GOTONG),
                "Judul": f"Kerja bakti {i}", "Tempat": "Lingkungan RT",
                "Jumlah Peserta": rng.randrange(5, 60),
            })  # fmt: skip
        else:
            row.update({
                "Jenis Laporan": "Permasalahan", "Kategori": rng.choice(ISSUE),
                "Judul": f"Masalah {i}", "Lokasi": "Gang 1", "Uraian": "Perlu ditangani.",
            })  # fmt: skip
        rows.append([row[h] for h in HEADERS])
    return rows


def write(rows: list[list], folder: Path) -> dict[str, Path]:
    from openpyxl import Workbook

    csv_path = folder / "laporan.csv"
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([f"{v:%d-%m-%Y}" if isinstance(v, dt.date) else v for v in row])
    xlsx_path = folder / "laporan.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Laporan")
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(xlsx_path)
    return {"csv": csv_path, "xlsx": xlsx_path}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    with throwaway_database(), tempfile.TemporaryDirectory() as tmp:
        settings.MEDIA_ROOT = tmp
        settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
        run(args.rows, Path(tmp))


def run(count: int, folder: Path) -> None:
    from django.core.files import File

    from backend.accounts.models import RoleAssignment, User
    from backend.accounts.roles import Role
    from backend.imports import runner
    from backend.imports.models import ImportJob
    from backend.imports.report_export import reports_export
    from backend.population.models import Resident
    from backend.population.synthetic import make_nik
    from backend.reports.models import Report
    from backend.wilayah.loading import load_regions
    from backend.wilayah.models import RT, Kelurahan

    load_regions(only_kelurahan={"64.71.04.1003"})
    kelurahan = Kelurahan.objects.get(code="64.71.04.1003")
    staff = User.objects.create_user(username="bench.staf", password="x", is_staff=True)
    RoleAssignment.objects.create(user=staff, role=Role.STAF_KELURAHAN, kelurahan=kelurahan)
    rts = {rt.number: rt for rt in RT.objects.filter(kelurahan=kelurahan, rw__isnull=True)}
    people = [
        Resident(
            nik=make_nik("647104", 1, dt.date(1950, 1, 1), i + 1),
            name=f"Warga {i}",
            sex=1,
            birth_date=dt.date(1950, 1, 1),
            rt=rts[i % 87 + 1],
        )
        for i in range(count // 50)
    ]
    Resident.objects.bulk_create(people)
    rows = generate(count, [p.nik for p in people])
    # A death row must name a resident of its RT: put each on the row's RT.
    by_nik = {p.nik: p for p in people}
    moved = []
    for row in rows:
        if row[HEADERS.index("NIK Almarhum")]:
            resident = by_nik[row[HEADERS.index("NIK Almarhum")]]
            resident.rt = rts[int(row[1])]
            moved.append(resident)
    Resident.objects.bulk_update(moved, ["rt"])
    files = write(rows, folder)

    def job_for(path: Path, fmt: str) -> ImportJob:
        job = ImportJob(
            kind="reports",
            created_by=staff,
            kelurahan=kelurahan,
            original_name=path.name,
            file_format=fmt,
            file_size=path.stat().st_size,
        )
        with open(path, "rb") as f:
            job.file.save(f"upload.{fmt}", File(f), save=False)
        job.save()
        return job

    def dry(path: Path, fmt: str) -> tuple[float, ImportJob]:
        job = job_for(path, fmt)
        started = time.perf_counter()
        runner.check_job(str(job.pk))
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        assert job.status == "preview", job.failure
        return seconds, job

    def line(label: str, seconds: float, rows_done: int, note: str = "") -> None:
        rate = rows_done / seconds if seconds else 0
        print(f"{label:<44} {seconds:7.1f} s {rate:9,.0f} rows/s  {note}")

    print(f"{vendor()}: {count:,} report rows, 87 RTs, {len(moved)} death reports")
    seconds, job = dry(files["xlsx"], "xlsx")
    line("XLSX dry run (all new)", seconds, count, str(job.preview_counts["rows"]))
    ImportJob.objects.filter(pk=job.pk).update(status="queued", confirmed_by=staff)
    started = time.perf_counter()
    runner.run_job(str(job.pk))
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == "done", job.failure
    line("XLSX run (create, audit)", seconds, count, f"{Report.objects.count():,} reports")
    seconds, job = dry(files["csv"], "csv")
    line(
        "CSV dry run of the same reports (unchanged)",
        seconds,
        count,
        str(job.preview_counts["rows"]["unchanged"]),
    )
    for fmt in ("xlsx", "csv"):
        started = time.perf_counter()
        export = reports_export(actor=staff, fmt=fmt)
        seconds = time.perf_counter() - started
        line(f"export {fmt.upper()}", seconds, export.rows)
        path = folder / f"export.{fmt}"
        path.write_bytes(export.file.read())
        seconds, job = dry(path, fmt)
        line(
            f"dry run of the {fmt.upper()} export (unchanged)",
            seconds,
            count,
            str(job.preview_counts["rows"]["unchanged"]),
        )
    print(f"peak memory of the process: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
