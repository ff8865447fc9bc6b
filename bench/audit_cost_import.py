"""The cost of auditing on the real import path: 10,000 residents with and without audit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_rt \\
        .venv/bin/python bench/audit_cost_import.py [--rows 10000] [--rounds 3]

Generates a resident file (CSV) like ``import_residents.py`` and imports it
through the product's own import job (dry run, then the run that checks
again and writes households, residents and their audit events in one
transaction), in a throwaway database. Each round runs the import twice,
once as it is and once with the audit writes of the bulk population
services switched off, alternating which goes first; each run in its own
process after a fresh dry run. Prints the median time of each and the ratio
audited/unaudited from this one run. Target: auditing adds at most 50 %.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import import_residents as bench


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
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
    folder = Path(tempfile.mkdtemp(prefix="lapor-audit-bench-"))
    rows = bench.generate_rows(args.rows)
    path = bench.write_files(rows, folder, "warga")["csv"]
    households = len({r[2] for r in rows})

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_auditbench"
    else:
        # Child processes need a file they can open, not an in-memory database.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(folder / "bench.sqlite3")
    db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    seconds = {"audited": [], "unaudited": []}
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
        for round_ in range(args.rounds):
            order = ["audited", "unaudited"] if round_ % 2 == 0 else ["unaudited", "audited"]
            for mode in order:
                extra = {"BENCH_NO_AUDIT": "1"} if mode == "unaudited" else {}
                dry = bench.spawn("dry", "csv", path, args.rows, {**env, **extra})
                run = bench.spawn(
                    "run", "csv", path, args.rows, {**env, **extra, "BENCH_JOB": dry["job"]}
                )
                assert run["residents"] == args.rows, run
                seconds[mode].append(run["seconds"])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    audited = statistics.median(seconds["audited"])
    unaudited = statistics.median(seconds["unaudited"])
    print(f"database: {connection.vendor}; {args.rows:,} residents in {households:,} KK, "
          f"{args.rounds} rounds, medians")  # fmt: skip
    print(f"import with audit events:    {audited:6.2f} s  "
          f"({args.rows + households:,} events)")  # fmt: skip
    print(f"import without audit events: {unaudited:6.2f} s")
    print(f"ratio audited / unaudited:   {audited / unaudited:6.2f}  [target <= 1.50]")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
