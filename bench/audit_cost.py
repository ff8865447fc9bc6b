"""The cost of auditing: bulk-inserting 10,000 residents with and without audit records.

    .venv/bin/python bench/audit_cost.py                      # SQLite (in memory)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/audit_cost.py

Creates a throwaway test database (Django's test-database machinery:
in-memory SQLite, or ``test_NAME`` on PostgreSQL, dropped at the end), loads
the Karang Rejo RTs, then in one run times the same bulk insert of
households and residents (4 per KK) two ways, each inside a transaction
that is rolled back, alternating which goes first, and reports the median:

- ``plain``: ``bulk_create`` of the households and residents;
- ``audited``: the same plus one ``created`` audit event per household and
  per resident (the whole record), built with ``build_events`` and chained
  and written with ``record_many``.

The ratio audited/plain (wall clock) is the figure; the target is at most
1.5 (auditing adds at most 50 %). The CPU time of this process is printed
too: on a busy machine it is the steadier number (on SQLite it covers all
the work; on PostgreSQL the server's share is only in the wall clock).

``insert_population`` is the timed function: once the imports branch
provides the real bulk import path, pass it with ``--path module:function``
(called as ``function(rows, audited=bool)`` inside the timed transaction,
``rows`` as ``make_rows`` builds them) to measure that path instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings.test")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from backend.audit.models import Action  # noqa: E402
from backend.audit.services import build_events, record_many  # noqa: E402
from backend.population import codes  # noqa: E402
from backend.population.models import Household, Resident  # noqa: E402
from backend.population.synthetic import make_nik, make_no_kk  # noqa: E402
from backend.wilayah.loading import load_regions  # noqa: E402
from backend.wilayah.models import RT  # noqa: E402

KARANG_REJO = "64.71.04.1003"
PER_HOUSEHOLD = 4
LAYOUT = [
    (codes.Relationship.HEAD, codes.Sex.MALE),
    (codes.Relationship.WIFE, codes.Sex.FEMALE),
    (codes.Relationship.CHILD, codes.Sex.FEMALE),
    (codes.Relationship.CHILD, codes.Sex.MALE),
]


class _Rollback(Exception):
    pass


def make_rows(residents: int, rts: list[RT]) -> list[dict]:
    """Households with their members as plain dicts, like parsed spreadsheet rows."""
    households = []
    for h in range(-(-residents // PER_HOUSEHOLD)):
        members = []
        for m in range(min(PER_HOUSEHOLD, residents - h * PER_HOUSEHOLD)):
            i = h * PER_HOUSEHOLD + m
            relationship, sex = LAYOUT[m]
            born = date(1950, 1, 1) + timedelta(days=i % 20000)
            members.append(
                {
                    "nik": make_nik("647104", sex, born, i // 20000 + 1),
                    "name": f"Warga Bench {i}",
                    "sex": sex,
                    "birth_place": "Balikpapan",
                    "birth_date": born,
                    "religion": codes.Religion.ISLAM,
                    "relationship": relationship,
                }
            )
        households.append(
            {
                "no_kk": make_no_kk(
                    "647104", date(2010, 1, 1) + timedelta(days=h % 3000), h // 3000 + 1
                ),
                "rt": rts[h % len(rts)],
                "address": f"Jl. Bench No. {h}",
                "members": members,
            }
        )
    return households


def insert_population(rows: list[dict], *, audited: bool) -> None:
    """Bulk-insert the households and residents; with ``audited``, one event per row too."""
    households = [Household(no_kk=r["no_kk"], rt=r["rt"], address=r["address"]) for r in rows]
    Household.objects.bulk_create(households, batch_size=1000)
    residents = [
        Resident(household=household, rt=household.rt, **member)
        for household, row in zip(households, rows, strict=True)
        for member in row["members"]
    ]
    Resident.objects.bulk_create(residents, batch_size=1000)
    if audited:
        # One `created` event per row, each holding the whole record (as the services
        # record a creation), chained and written in bulk.
        record_many(build_events((*households, *residents), actor=None, action=Action.CREATED))


def _vacuum() -> None:
    """Clear the dead rows a rolled-back run leaves (PostgreSQL), so runs do not slow each other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("audit_auditevent", "population_resident", "population_household"):
                cursor.execute(f"VACUUM {table}")


def timed(function, rows, *, audited: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one run, rolled back."""
    _vacuum()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic():
            function(rows, audited=audited)
            elapsed = time.perf_counter() - wall, time.process_time() - cpu
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _verify_speed(function, rows) -> str:
    """Time ``chain.verify`` (what ``manage.py audit_verify`` runs) over one audited insert."""
    from backend.audit import chain

    try:
        with transaction.atomic():
            function(rows, audited=True)
            started = time.perf_counter()
            result = chain.verify()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    assert result.ok, result.mismatch
    return (
        f"{result.checked} events in {elapsed:.2f} s "
        f"({elapsed / result.checked * 1e6:.0f} µs per event, streamed in chunks)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--path", help="module:function to time instead of insert_population")
    args = parser.parse_args()
    function = insert_population
    if args.path:
        module, _, name = args.path.partition(":")
        function = getattr(import_module(module), name)

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        load_regions(only_kelurahan={KARANG_REJO})
        rts = list(RT.objects.filter(kelurahan__code=KARANG_REJO).select_related("kelurahan"))
        rows = make_rows(args.residents, rts)
        timed(function, rows[:50], audited=True)  # warm up caches and connections
        plain, audited = [], []
        for i in range(args.repeat):
            order = (False, True) if i % 2 == 0 else (True, False)
            for flag in order:
                (audited if flag else plain).append(timed(function, rows, audited=flag))
        p, a = (statistics.median(t[0] for t in runs) for runs in (plain, audited))
        pc, ac = (statistics.median(t[1] for t in runs) for runs in (plain, audited))
        households = len(rows)
        print(
            f"database: {connection.vendor}; {args.residents} residents in {households} "
            f"households; median of {args.repeat} runs each"
        )
        print("                                         wall       CPU (this process)")
        print(f"  plain   (bulk_create)               {p:7.3f} s   {pc:7.3f} s")
        print(
            f"  audited (bulk_create + record_many)  {a:7.3f} s   {ac:7.3f} s  "
            f"({args.residents + households} audit events)"
        )
        print(f"  verifying the chain: {_verify_speed(function, rows)}")
        verdict = "within" if a / p <= 1.5 else "OVER"
        print(
            f"  ratio audited/plain: {a / p:.2f} wall ({verdict} the 1.5 target), {ac / pc:.2f} CPU"
        )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
