"""Shared set-up for benchmarks: Django in a throwaway database, timing helpers.

Benchmarks print figures; they never assert. Each runs in its own database
(``test_<name>`` of ``DATABASE_URL``, or an in-memory SQLite one) so the
product's own data is never touched.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings.test")


def setup_django():
    import django

    django.setup()
    from backend.common.translations import compile_all

    compile_all()


@contextmanager
def throwaway_database():
    """Create, migrate and afterwards drop a benchmark database."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def timed(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> tuple[float, object]:
    """Median seconds of ``repeat`` runs after ``warmup`` runs, and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def vendor() -> str:
    from django.db import connection

    return connection.vendor
