"""Helpers for report tests: a Karang Rejo RT with residents, and one-line report saving."""

from __future__ import annotations

import io
import itertools
import uuid
from datetime import date, timedelta

import pytest
from PIL import Image

from backend.population.age import today_wita
from backend.reports import services
from backend.reports.choices import Kind
from tests.audit.conftest import log  # noqa: F401 (the audit event log fixture)

_keys = itertools.count(1)


def key() -> str:
    return f"test-{next(_keys):06d}-{uuid.uuid4().hex[:8]}"


def today() -> date:
    return today_wita()


def yesterday() -> date:
    return today_wita() - timedelta(days=1)


ACTIVITY = {
    "category": "posyandu",
    "title": "Posyandu balita",
    "place": "Balai RT",
    "participants": 24,
    "description": "Penimbangan dan imunisasi.",
}
GOTONG_ROYONG = {
    "activity_type": "drains",
    "title": "Kerja bakti parit",
    "place": "Jl. Uji",
    "institutions": ["rt", "pkk"],
    "participants": 30,
    "output": "200 m parit bersih",
    "labour_value": 1_500_000,
    "materials_value": 250_000,
    "cash_value": 100_000,
    "is_bbgrm": False,
}
ISSUE = {
    "issue_type": "problem",
    "category": "infrastructure",
    "title": "Lampu jalan mati",
    "location": "Gang Melati",
    "description": "Tiga lampu jalan mati sejak minggu lalu.",
}


def death(resident, **extra) -> dict:
    return {
        "resident_id": resident.pk,
        "death_date": yesterday(),
        "place": "home",
        "cause": 1,
        "informant_name": "Keluarga Uji",
        "informant_relationship": "child",
        **extra,
    }


def stay_start(**extra) -> dict:
    return {
        "nik": "6471051208990003",
        "name": "Pendatang Uji",
        "sex": 1,
        "birth_date": date(1999, 8, 12),
        "origin_address": "Jl. Asal No. 1, Samarinda",
        "purpose": "work",
        "housing": "kos",
        "host_address": "Kos Melati, Jl. Uji No. 3",
        "start_date": today() - timedelta(days=10),
        "expected_end_date": today() + timedelta(days=150),
        **extra,
    }


def save(actor, kind: str, details: dict | None = None, **kwargs):
    kwargs.setdefault("client_key", key())
    return services.report_save(actor=actor, kind=kind, details=details or {}, **kwargs)


def submit_activity(actor, **kwargs):
    return save(actor, Kind.ACTIVITY, dict(ACTIVITY), **kwargs).report


def jpeg_bytes(*, size=(64, 48), color=(200, 30, 30), exif=None, fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    params = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **params)
    return out.getvalue()


@pytest.fixture
def kr(regions):
    """Karang Rejo RT 001 and 002."""

    class KR:
        rt1 = regions.rt(regions.karang_rejo, 1)
        rt2 = regions.rt(regions.karang_rejo, 2)

    return KR


def make_report(rt, day: date, state: str = "approved", kind: str = "nihil", reporter=None):
    """A report row written straight to the database (test data, not a service call)."""
    from backend.accounts.models import User
    from backend.reports.models import Report

    reporter = reporter or User.objects.get_or_create(username="pelapor.uji")[0]
    return Report.objects.create(
        kind=kind,
        state=state,
        rt=rt,
        report_date=day,
        reporter=reporter,
        client_key=key(),
        decision_reason="uji" if state in ("rejected", "revision_requested") else "",
    )


@pytest.fixture
def gql():
    from tests.graphql.conftest import GraphQLClient

    def make(user=None, token=None) -> GraphQLClient:
        return GraphQLClient(user, token)

    return make


@pytest.fixture
def all_kelurahan_using(settings):
    """Every test kelurahan has used Lapor RT since 2000, so each day of a period is
    expected whatever the first report (``LAPOR_REPORTS["REPORTING_SINCE"]``)."""
    settings.LAPOR_REPORTS = {
        **settings.LAPOR_REPORTS,
        "REPORTING_SINCE": {
            code: "2000-01-01" for code in ("64.71.04.1003", "64.71.04.1004", "64.71.05.1002")
        },
    }
