"""Benchmark: the compliance figures and page for all of Balikpapan over a year of reports.

Builds (once) every kelurahan's RTs (about 1,143) and a year of reports with
realistic habits, then times ``compliance.compute`` as the city administrator
(365 days, kelurahan heatmap), one kelurahan's RT heatmap, and the whole
admin page, counting SQL statements.

Usage (the database is written to; use a throwaway one):

    .venv/bin/python bench/compliance.py                 # temporary SQLite file
    DATABASE_URL=postgres://.../db .venv/bin/python bench/compliance.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        path = Path(tempfile.gettempdir()) / "lapor-bench-compliance.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def build(days: int, seed: int) -> tuple[int, int]:
    """All RTs and ``days`` days of reports; reused when already there."""
    from django.core.management import call_command

    from backend.accounts.models import User
    from backend.population.age import today_wita
    from backend.reports.choices import Kind, State
    from backend.reports.models import Report
    from backend.wilayah.loading import load_regions
    from backend.wilayah.models import RT

    call_command("migrate", verbosity=0)
    load_regions()
    rts = list(RT.objects.order_by("pk").values_list("pk", flat=True))
    existing = Report.objects.filter(client_key__startswith="bench-").count()
    if existing:
        _analyze()
        return len(rts), existing
    reporter, _ = User.objects.get_or_create(username="bench.reporter")
    rng = random.Random(seed)
    today = today_wita()
    rows: list[Report] = []
    total = 0
    for rt_id in rts:
        habit = rng.random()
        p = 0.93 if habit < 0.5 else 0.5 if habit < 0.85 else 0.03
        for offset in range(days):
            if rng.random() >= p:
                continue
            day = today - timedelta(days=offset)
            roll = rng.random()
            state = (
                State.SUBMITTED
                if offset < 2 and roll < 0.5
                else State.REJECTED
                if roll < 0.03
                else State.APPROVED
            )
            rows.append(
                Report(
                    kind=Kind.NIHIL if roll < 0.5 else Kind.ACTIVITY,
                    state=state,
                    rt_id=rt_id,
                    report_date=day,
                    reporter=reporter,
                    client_key=f"bench-{rt_id}-{offset}",
                    decision_reason="bench" if state == State.REJECTED else "",
                )
            )
            if len(rows) >= 5000:
                total += len(Report.objects.bulk_create(rows))
                rows = []
    total += len(Report.objects.bulk_create(rows))
    _analyze()
    return len(rts), total


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would give a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up (connection, caches)
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1143)
    args = parser.parse_args()
    setup()

    from django.db import connection
    from django.test import Client

    from backend.accounts.models import RoleAssignment, User
    from backend.accounts.roles import Role
    from backend.population.age import today_wita
    from backend.reports import compliance
    from backend.wilayah.models import Kelurahan, Kota

    started = time.perf_counter()
    rts, reports = build(args.days, args.seed)
    built = time.perf_counter() - started

    admin, _ = User.objects.get_or_create(username="bench.admin.kota", defaults={"is_staff": True})
    RoleAssignment.objects.get_or_create(
        user=admin, role=Role.ADMIN_KOTA, kota=Kota.objects.get(code="64.71")
    )
    admin = User.objects.get(pk=admin.pk)
    today = today_wita()
    start = today - timedelta(days=args.days - 1)
    karang_rejo = Kelurahan.objects.get(code="64.71.04.1003")

    month, month_q = timed(
        lambda: compliance.compute(
            actor=admin, start=today - timedelta(days=29), end=today, heatmap="kelurahan"
        ),
        args.runs,
    )
    city, city_q = timed(
        lambda: compliance.compute(
            actor=admin, start=start, end=today, heatmap="kelurahan", today=today
        ),
        args.runs,
    )
    kel, kel_q = timed(
        lambda: compliance.compute(
            actor=admin,
            start=start,
            end=today,
            kelurahan_id=karang_rejo.pk,
            heatmap="rt",
            today=today,
        ),
        args.runs,
    )
    client = Client()
    client.force_login(admin)

    def page():
        response = client.get("/admin/reports/rtcompliance/", {"days": args.days})
        assert response.status_code == 200, response.status_code

    page_s, page_q = timed(page, args.runs)

    print(f"database            {connection.vendor}")
    print(f"RTs                 {rts}")
    print(f"reports             {reports} over {args.days} days (built in {built:.1f} s)")
    print(f"city, 30 days       {month * 1000:8.1f} ms  {month_q} queries (compute)")
    print(f"city, {args.days} days      {city * 1000:8.1f} ms  {city_q} queries (compute)")
    print(f"one kelurahan       {kel * 1000:8.1f} ms  {kel_q} queries (compute, RT heatmap)")
    print(f"admin page, city    {page_s * 1000:8.1f} ms  {page_q} queries (whole request)")


if __name__ == "__main__":
    main()
