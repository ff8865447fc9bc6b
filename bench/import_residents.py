"""Import 100,000 residents from XLSX and CSV and compare with two baselines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_imports \\
        .venv/bin/python bench/import_residents.py [--rows 100000] [--slice 5000]

Generates a synthetic resident file (valid NIK/KK layout from
``backend.population.synthetic``, about 3.3 residents per KK, all 87 RTs of
Karang Rejo) as XLSX and CSV, then measures on a throwaway database
(``<DATABASE_URL name>_bench``, dropped afterwards):

- ours: the dry run (read, check, preview) and the run (check again and
  write in one transaction, with one audit event per resident and KK), each
  in its own process so that its peak memory (max RSS) is its own;
- (a) django-import-export's default row-by-row ``import_data`` (one query
  and one save per row, no audit) on the first ``--slice`` rows of the same
  files, its rows/s extrapolated to the whole file;
- (b) a plain ``bulk_create`` of the already parsed rows (no checks, no audit).

Prints rows/s, peak memory and the ratios from this one run. Nothing is
asserted: machines differ; read the figures beside each other.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings.test")

HEADERS = [
    "NIK", "Nama Lengkap", "No. KK", "Hubungan Keluarga", "Jenis Kelamin", "Tempat Lahir",
    "Tanggal Lahir", "Agama", "Pendidikan", "Pekerjaan", "Status Perkawinan",
    "Kewarganegaraan", "Golongan Darah", "Nama Ayah", "Nama Ibu", "Status Dasar",
    "Status Penduduk", "Telepon", "Alamat", "RT", "Kelurahan",
]  # fmt: skip
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rudi", "Nur", "Andi", "Rina", "Joko", "Ayu",
         "Hadi", "Putri", "Yusuf", "Fitri", "Rizky", "Indah", "Bayu", "Wati", "Fajar"]  # fmt: skip
LAST = ["Santoso", "Wijaya", "Siregar", "Nasution", "Saputra", "Rahmawati", "Hidayat",
        "Lubis", "Pratama", "Kusuma", "Simanjuntak", "Hasibuan", "Setiawan", "Halim"]  # fmt: skip
PLACES = ["Balikpapan", "Samarinda", "Banjarmasin", "Makassar", "Surabaya", "Tenggarong"]
RELIGIONS = ["Islam"] * 8 + ["Kristen", "Katholik"]
EDUCATION = ["SLTA/Sederajat", "Tamat SD/Sederajat", "SLTP/Sederajat", "Diploma IV/Strata I"]
JOBS = ["Karyawan Swasta", "Wiraswasta", "Mengurus Rumah Tangga", "Pelajar/Mahasiswa", "PNS"]


# -- the file ------------------------------------------------------------------------


def generate_rows(count: int, seed: int = 5) -> list[list]:
    from backend.population.synthetic import make_nik, make_no_kk

    rng = random.Random(seed)
    serials: dict[tuple, int] = {}

    def serial(key) -> int:
        serials[key] = serials.get(key, 0) + 1
        return serials[key]

    rows: list[list] = []
    while len(rows) < count:
        recorded = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(5000))
        no_kk = make_no_kk("647104", recorded, serial(("kk", recorded)))
        rt = f"{rng.randrange(1, 88):03d}"
        address = f"Jl. {rng.choice(LAST)} No. {rng.randrange(1, 200)}"
        family = rng.choice(LAST)
        size = min(rng.choice([1, 2, 3, 3, 4, 4, 5, 6]), count - len(rows))
        for member in range(size):
            head = member == 0
            sex = 1 if head or (member > 1 and rng.random() < 0.5) else 2
            if member == 1:
                sex = 2
            age = rng.randrange(30, 70) if member < 2 else rng.randrange(0, 30)
            born = dt.date(2025 - age, 1, 1) + dt.timedelta(days=rng.randrange(365))
            nik = make_nik("647104", sex, born, serial((sex, born)))
            relation = "Kepala Keluarga" if head else ("Istri" if member == 1 else "Anak")
            rows.append([
                nik, f"{rng.choice(FIRST)} {family}", no_kk, relation,
                "Laki-laki" if sex == 1 else "Perempuan", rng.choice(PLACES), born,
                rng.choice(RELIGIONS), rng.choice(EDUCATION), rng.choice(JOBS),
                "Kawin" if member < 2 else "Belum Kawin", "WNI", "Tidak Tahu",
                f"{rng.choice(FIRST)} {family}", f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "Hidup", "Tetap", f"08{rng.randrange(10**9, 10**10)}" if head else "",
                address, rt, "Karang Rejo",
            ])  # fmt: skip
    return rows


def write_files(rows: list[list], folder: Path, stem: str) -> dict[str, Path]:
    from openpyxl import Workbook

    csv_path = folder / f"{stem}.csv"
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([f"{v:%d-%m-%Y}" if isinstance(v, dt.date) else v for v in row])
    xlsx_path = folder / f"{stem}.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Warga")
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(xlsx_path)
    return {"csv": csv_path, "xlsx": xlsx_path}


# -- child processes: one measured phase each -------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """This process's CPU time (user + system): less sensitive than wall time to other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _disable_audit() -> None:
    """For the audit-cost figure only: the same import with its audit writes skipped."""
    from backend.population import bulk

    bulk.record_many = lambda events: []
    bulk.build_events = lambda *args, **kwargs: []
    bulk.build_event = lambda *args, **kwargs: None


def child(phase: str, fmt: str, path: str, rows: int) -> dict:
    import django

    django.setup()
    if os.environ.get("BENCH_NO_AUDIT"):
        _disable_audit()
    from django.conf import settings
    from django.db import connection

    connection.settings_dict["NAME"] = os.environ["BENCH_DB"]
    settings.MEDIA_ROOT = os.environ["BENCH_MEDIA"]  # the test settings make a new one each time
    from backend.accounts.models import User
    from backend.wilayah.models import Kelurahan

    actor = User.objects.get(username="bench.staf")
    kelurahan = Kelurahan.objects.get(code="64.71.04.1003")
    return {
        "dry": _ours_dry,
        "run": _ours_run,
        "default": _default_import,
        "bulk": _bulk_create,
    }[phase](actor, kelurahan, fmt, Path(path), rows)


def _reset() -> None:
    from django.db import connection

    tables = [
        "population_resident",
        "population_household",
        "audit_auditevent",
        "imports_importproblem",
        "imports_importjob",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: tables of other domains (reports) refer to residents.
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            from backend.audit.db import triggers_disabled

            with triggers_disabled(connection):
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")


def _ours_dry(actor, kelurahan, fmt, path, rows) -> dict:
    from django.core.files import File

    from backend.imports import runner
    from backend.imports.models import ImportJob

    _reset()
    job = ImportJob(
        kind="residents",
        created_by=actor,
        kelurahan=kelurahan,
        original_name=path.name,
        file_format=fmt,
        file_size=path.stat().st_size,
    )
    with open(path, "rb") as f:
        job.file.save(f"upload.{fmt}", File(f), save=False)
    job.save()
    started, cpu = time.perf_counter(), cpu_seconds()
    runner.check_job(str(job.pk))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    job.refresh_from_db()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak_mb(),
        "job": str(job.pk),
        "preview": job.preview_counts,
    }


def _ours_run(actor, kelurahan, fmt, path, rows) -> dict:
    from backend.imports import runner
    from backend.imports.models import ImportJob
    from backend.population.models import Household, Resident

    job = ImportJob.objects.get(pk=os.environ["BENCH_JOB"])
    ImportJob.objects.filter(pk=job.pk).update(status="queued", confirmed_by=actor)
    started, cpu = time.perf_counter(), cpu_seconds()
    runner.run_job(str(job.pk))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    job.refresh_from_db()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak_mb(),
        "status": job.status,
        "failure": job.failure,
        "result": job.result_counts,
        "residents": Resident.objects.count(),
        "households": Household.objects.count(),
    }


def _parse_csv(path: Path, limit: int) -> list[dict]:
    """The CSV read into typed values (not timed: the baselines start from parsed rows)."""
    from backend.imports import codelists

    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")
        for i, row in enumerate(reader):
            if i >= limit:
                break
            out.append(
                {
                    "nik": row["NIK"],
                    "name": row["Nama Lengkap"],
                    "no_kk": row["No. KK"],
                    "relationship": codelists.RELATIONSHIP.parse(row["Hubungan Keluarga"]),
                    "sex": codelists.SEX.parse(row["Jenis Kelamin"]),
                    "birth_place": row["Tempat Lahir"],
                    "birth_date": dt.datetime.strptime(row["Tanggal Lahir"], "%d-%m-%Y").date(),
                    "religion": codelists.RELIGION.parse(row["Agama"]),
                    "education": codelists.EDUCATION.parse(row["Pendidikan"]),
                    "occupation": codelists.OCCUPATION.parse(row["Pekerjaan"]),
                    "marital_status": codelists.MARITAL_STATUS.parse(row["Status Perkawinan"]),
                    "father_name": row["Nama Ayah"],
                    "mother_name": row["Nama Ibu"],
                    "phone": row["Telepon"],
                    "address": row["Alamat"],
                    "rt": int(row["RT"]),
                }
            )
    return out


def _bulk_create(actor, kelurahan, fmt, path, rows) -> dict:
    from backend.population.models import Household, Resident
    from backend.wilayah.models import RT

    _reset()
    parsed = _parse_csv(path.with_suffix(".csv"), rows)
    rts = {rt.number: rt for rt in RT.objects.filter(kelurahan=kelurahan, rw__isnull=True)}
    started, cpu = time.perf_counter(), cpu_seconds()
    households: dict[str, Household] = {}
    for p in parsed:
        if p["no_kk"] not in households:
            households[p["no_kk"]] = Household(
                no_kk=p["no_kk"], rt=rts[p["rt"]], address=p["address"]
            )
    Household.objects.bulk_create(households.values(), batch_size=1000)
    skip = {"no_kk", "address", "rt"}
    residents = [
        Resident(
            **{k: v for k, v in p.items() if k not in skip},
            household=households[p["no_kk"]],
            rt=rts[p["rt"]],
        )
        for p in parsed
    ]
    Resident.objects.bulk_create(residents, batch_size=1000)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "residents": len(residents)}


def _default_import(actor, kelurahan, fmt, path, rows) -> dict:
    """django-import-export as documented: a ModelResource and ``import_data`` row by row."""
    import tablib
    from import_export import fields, resources, widgets

    from backend.imports import codelists
    from backend.population.models import Household, Resident
    from backend.wilayah.models import RT

    _reset()
    slice_path = path.with_name(f"{path.stem}_slice{path.suffix}")
    # The KKs exist already (not timed): the resource links residents to them.
    parsed = _parse_csv(path.with_suffix(".csv"), rows)
    rts = {rt.number: rt for rt in RT.objects.filter(kelurahan=kelurahan, rw__isnull=True)}
    seen: dict[str, Household] = {}
    for p in parsed:
        seen.setdefault(p["no_kk"], Household(no_kk=p["no_kk"], rt=rts[p["rt"]], address="-"))
    Household.objects.bulk_create(seen.values(), batch_size=1000)

    class Code(widgets.Widget):
        def __init__(self, table):
            super().__init__()
            self.table = table

        def clean(self, value, row=None, **kwargs):
            return self.table.parse(value)

    class RtNumber(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return RT.objects.get(kelurahan=kelurahan, number=int(value), rw__isnull=True)

    def field(attribute, column, widget=None):
        widget = widget or widgets.CharWidget(allow_blank=True)
        return fields.Field(attribute=attribute, column_name=column, widget=widget)

    class DefaultResidentResource(resources.ModelResource):
        nik = field("nik", "NIK")
        name = field("name", "Nama Lengkap")
        household = field("household", "No. KK", widgets.ForeignKeyWidget(Household, "no_kk"))
        relationship = field("relationship", "Hubungan Keluarga", Code(codelists.RELATIONSHIP))
        sex = field("sex", "Jenis Kelamin", Code(codelists.SEX))
        birth_place = field("birth_place", "Tempat Lahir")
        birth_date = field("birth_date", "Tanggal Lahir", widgets.DateWidget(format="%d-%m-%Y"))
        religion = field("religion", "Agama", Code(codelists.RELIGION))
        education = field("education", "Pendidikan", Code(codelists.EDUCATION))
        occupation = field("occupation", "Pekerjaan", Code(codelists.OCCUPATION))
        marital_status = field(
            "marital_status", "Status Perkawinan", Code(codelists.MARITAL_STATUS)
        )
        father_name = field("father_name", "Nama Ayah")
        mother_name = field("mother_name", "Nama Ibu")
        phone = field("phone", "Telepon")
        rt = field("rt", "RT", RtNumber())

        class Meta:
            model = Resident
            import_id_fields = ("nik",)
            fields = (
                "nik", "name", "household", "relationship", "sex", "birth_place",
                "birth_date", "religion", "education", "occupation", "marital_status",
                "father_name", "mother_name", "phone", "rt",
            )  # fmt: skip

    started, cpu = time.perf_counter(), cpu_seconds()
    with open(slice_path, "rb") as f:
        content = f.read()
    if fmt == "csv":
        dataset = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv", delimiter=";")
    else:
        dataset = tablib.Dataset().load(content, format="xlsx")
    result = DefaultResidentResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak_mb(),
        "rows": len(dataset),
        "errors": result.has_errors(),
        "residents": Resident.objects.count(),
    }


# -- the parent ------------------------------------------------------------------------------


def spawn(phase: str, fmt: str, path: Path, rows: int, env: dict) -> dict:
    out = subprocess.run(  # noqa: S603 (this very script, with our own arguments)
        [sys.executable, __file__, "--child", phase, fmt, str(path), str(rows)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {}
    if out.returncode != 0 or result.get("status") == "failed":
        sys.stderr.write(out.stderr)
        raise SystemExit(f"phase {phase} {fmt} failed: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--slice", type=int, default=5_000)
    parser.add_argument("--formats", default="xlsx,csv", help="e.g. csv, to profile one")
    parser.add_argument("--ours-only", action="store_true", help="skip the baselines")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from backend.accounts.models import RoleAssignment, User
    from backend.accounts.roles import Role
    from backend.common.translations import compile_all
    from backend.wilayah.loading import load_regions
    from backend.wilayah.models import Kelurahan

    compile_all()
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL server; the figures are meant for it.")
    folder = Path(tempfile.mkdtemp(prefix="lapor-bench-"))
    t = time.perf_counter()
    rows = generate_rows(args.rows)
    files = write_files(rows, folder, "warga")
    write_files(rows[: args.slice], folder, "warga_slice")
    sizes = {fmt: f"{path.stat().st_size / 1e6:.1f} MB" for fmt, path in files.items()}
    households = len({r[2] for r in rows})
    took = time.perf_counter() - t
    print(
        f"generated {args.rows:,} rows ({households:,} KK) as XLSX ({sizes['xlsx']}) "
        f"and CSV ({sizes['csv']}) in {took:.0f}s"
    )

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_bench"
    db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        load_regions(only_kelurahan={"64.71.04.1003"})
        user = User.objects.create_user("bench.staf", password="-", is_staff=True)
        RoleAssignment.objects.create(
            user=user,
            role=Role.STAF_KELURAHAN,
            kelurahan=Kelurahan.objects.get(code="64.71.04.1003"),
        )
        connection.close()
        env = {"BENCH_DB": db, "BENCH_MEDIA": str(folder / "media")}
        results = {}
        for fmt in args.formats.split(","):
            dry = spawn("dry", fmt, files[fmt], args.rows, env)
            run = spawn("run", fmt, files[fmt], args.rows, {**env, "BENCH_JOB": dry["job"]})
            if args.ours_only:
                print(f"{fmt}: dry run {dry['seconds']:.1f}s, run {run['seconds']:.1f}s")
                continue
            default = spawn("default", fmt, folder / f"warga.{fmt}", args.slice, env)
            results[fmt] = (dry, run, default)
        if args.ours_only:
            return
        bulk = spawn("bulk", "csv", files["csv"], args.rows, env)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    n = args.rows
    print(f"\n{n:,} residents, PostgreSQL" if connection.vendor == "postgresql" else "")
    print(f"{'':34} {'seconds':>8} {'rows/s':>9} {'CPU s':>7} {'peak MB':>8}")

    def line(label, phase, rows_, note=""):
        seconds = phase["seconds"]
        print(
            f"{label:34} {seconds:8.1f} {rows_ / seconds:9,.0f} {phase['cpu']:7.1f} "
            f"{phase['peak_mb']:8.0f} {note}"
        )

    for fmt, (dry, run, default) in results.items():
        line(f"ours {fmt.upper()} dry run (preview)", dry, n)
        line(f"ours {fmt.upper()} import (run)", run, n,
             f"{run['residents']:,} residents, {run['households']:,} KK, audited")  # fmt: skip
        line(f"(a) import-export {fmt.upper()} slice", default, default["rows"],
             f"{default['rows']:,} rows, extrapolated rows/s")  # fmt: skip
    line("(b) bulk_create, parsed rows", bulk, n, "no checks, no audit")

    print("\nratios (one run):")
    b_rate = n / bulk["seconds"]
    for fmt, (dry, run, default) in results.items():
        a_rate = default["rows"] / default["seconds"]
        run_rate, total_rate = n / run["seconds"], n / (dry["seconds"] + run["seconds"])
        print(f"  {fmt.upper()}: import {run_rate / a_rate:5.1f}x (a)   [target >= 10x]; "
              f"dry run + import {total_rate / a_rate:5.1f}x (a)")  # fmt: skip
        print(f"  {fmt.upper()}: import takes {b_rate / run_rate:4.1f}x the time of (b) "
              f"[target <= 3x]; dry run + import {b_rate / total_rate:4.1f}x")  # fmt: skip
    xlsx_peak = max(results["xlsx"][0]["peak_mb"], results["xlsx"][1]["peak_mb"])
    print(f"  XLSX peak memory {xlsx_peak:.0f} MB [target < 400 MB]")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        phase, fmt, path, rows = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        if os.environ.get("BENCH_PROFILE") == phase:
            import cProfile

            profile = cProfile.Profile()
            outcome = profile.runcall(child, phase, fmt, path, rows)
            profile.dump_stats(Path(tempfile.gettempdir()) / f"bench-{phase}-{fmt}.prof")
        else:
            outcome = child(phase, fmt, path, rows)
        print(json.dumps(outcome, default=str))
    else:
        main()
