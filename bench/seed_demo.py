"""Demo seeding time for Karang Rejo: on SQLite, and on PostgreSQL when DATABASE_URL points to one.

    .venv/bin/python bench/seed_demo.py [--scale 1.0] [--seed 2026]

Each database is fresh (a temporary SQLite file; a throwaway PostgreSQL
database named after DATABASE_URL's with ``_seedbench`` appended, dropped
afterwards) and migrated before the clock starts. The timed part is
``backend.population.demo.seed_demo`` for Karang Rejo alone: building the
people in Python, the bulk INSERTs of households and residents, and the bulk
INSERT of one audit event per row. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
KARANG_REJO = "64.71.04.1003"


def child(scale: float, seed: int) -> None:
    """Runs inside a subprocess whose DATABASE_URL is the fresh database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from backend.population import demo
    from backend.wilayah.loading import load_regions

    call_command("migrate", verbosity=0)
    load_regions(only_kelurahan={KARANG_REJO})
    started = time.perf_counter()
    result = demo.seed_demo(
        seed=seed, scale=scale, kelurahan_codes=[KARANG_REJO], with_accounts=False
    )
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "households": result.households,
                "residents": result.residents,
                "audit_events": result.audit_events,
                "build": result.seconds_build,
                "population": result.seconds_population,
                "wall": wall,
            }
        )
    )


def run_child(database_url: str, scale: float, seed: int) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "false"}
    env["DJANGO_SETTINGS_MODULE"] = "backend.config.settings.base"
    out = subprocess.run(  # noqa: S603 (our own script, our own arguments)
        [sys.executable, __file__, "--child", "--scale", str(scale), "--seed", str(seed)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def postgres_target(url: str):
    """A fresh database beside DATABASE_URL's; returns (url, drop function)."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "lapor_rt") + "_seedbench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.scale, args.seed)
        return

    rows = []
    with tempfile.TemporaryDirectory(prefix="lapor-seedbench-") as tmp:
        rows.append(("SQLite (file, WAL)", run_child(f"sqlite:///{tmp}/bench.sqlite3", args.scale,
                                                     args.seed)))  # fmt: skip
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        pg_url, drop = postgres_target(url)
        try:
            rows.append(("PostgreSQL", run_child(pg_url, args.scale, args.seed)))
        finally:
            drop()
    else:
        print("(PostgreSQL skipped: set DATABASE_URL=postgres://... to include it)\n")

    first = rows[0][1]
    print(
        f"Karang Rejo demo seeding, scale {args.scale}, seed {args.seed}: "
        f"{first['households']} households, {first['residents']} residents, "
        f"{first['audit_events']} audit events"
    )
    header = (
        f"{'database':<20}{'build':>8}{'write':>12}{'total':>8}{'rows/s':>9}{'written rows/s':>16}"
    )
    print(header)
    print("-" * len(header))
    for label, r in rows:
        rows_total = r["households"] + r["residents"] + r["audit_events"]
        write = r["population"]
        print(
            f"{label:<20}{r['build']:>7.1f}s{r['population']:>11.1f}s"
            f"{r['wall']:>7.1f}s{rows_total / r['wall']:>9,.0f}{rows_total / write:>16,.0f}"
        )
    print(
        "\nbuild: generating the people in Python; write: the bulk population services of the "
        "imports\n(checks, households, residents and one audit event per row); rows/s counts all "
        "three kinds of rows."
    )


if __name__ == "__main__":
    main()
