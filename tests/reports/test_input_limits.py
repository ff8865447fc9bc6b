"""What the phone app may leave out, and the bounds of what it may send.

- Optional inputs really are optional: an arrival without ``housing`` (or
  with ``housing: null``) is saved, never a "conflict" from a NOT NULL column.
- Participants and rupiah amounts have realistic maxima with Indonesian field
  errors, and ``communityValue`` always fits a GraphQL Int.
- Compliance and calendar periods have sane bounds, checked in one place for
  GraphQL and the admin page.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from backend.common.errors import DomainError
from backend.reports import compliance
from backend.reports.choices import Kind
from backend.reports.models import GotongRoyongDetail, Report
from tests.reports.conftest import GOTONG_ROYONG, key, make_report, save, today

ARRIVAL_SAVE = """
mutation($input: StayArrivalReportInput!) {
  reportStayArrivalSave(input: $input) {
    report { id state stayArrival { housing occupation expectedEndDate } }
    errors { code field message }
  }
}
"""
GOTONG_ROYONG_SAVE = """
mutation($input: GotongRoyongReportInput!) {
  reportGotongRoyongSave(input: $input) {
    report { id gotongRoyong { communityValue participants } }
    errors { code field message }
  }
}
"""


def _arrival(**extra) -> dict:
    return {
        "clientKey": key(),
        "nik": "6471051208990003",
        "name": "Pendatang Uji",
        "sex": "MALE",
        "birthDate": "1999-08-12",
        "originAddress": "Jl. Asal No. 1, Samarinda",
        "purpose": "WORK",
        "hostAddress": "Kos Melati, Jl. Uji No. 3",
        "startDate": (today() - timedelta(days=3)).isoformat(),
        **extra,
    }


@pytest.mark.parametrize(
    "optional", [{}, {"housing": None, "occupation": None, "expectedEndDate": None}]
)
def test_an_arrival_without_the_optional_fields_is_saved(gql, actors, kr, optional):
    data = gql(actors.ketua_rt_1).execute(ARRIVAL_SAVE, {"input": _arrival(**optional)})
    payload = data["data"]["reportStayArrivalSave"]
    assert payload["errors"] == []
    assert payload["report"]["state"] == "SUBMITTED"
    assert payload["report"]["stayArrival"] == {
        "housing": None,
        "occupation": None,
        "expectedEndDate": None,
    }
    assert Report.objects.get().staystartdetail.housing == ""


def test_a_null_optional_text_is_stored_empty_for_every_kind(actors, kr):
    """Every blank-but-not-null column of every detail model takes None as "not given"."""
    from backend.reports import kinds
    from backend.reports.models import DETAIL_MODELS

    for kind, model in DETAIL_MODELS.items():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if f.blank and not f.null and f.empty_strings_allowed and not f.is_relation
        ]
        values = dict.fromkeys(names)
        kinds._blank_for_null(kind, values)
        assert values == dict.fromkeys(names, ""), kind


def _gotong_royong(**extra) -> dict:
    return {
        "input": {
            "clientKey": key(),
            "activityType": "DRAINS",
            "title": "Kerja bakti parit",
            "place": "Jl. Uji",
            "participants": 30,
            **extra,
        }
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("participants", 2_147_483_647, "Paling banyak 10.000 peserta."),
        ("participants", 10_001, "Paling banyak 10.000 peserta."),
        ("labourValue", 2_147_483_647, "Paling banyak Rp 500.000.000."),
        ("materialsValue", 500_000_001, "Paling banyak Rp 500.000.000."),
        ("cashValue", 2_000_000_000, "Paling banyak Rp 500.000.000."),
        ("governmentValue", 2_000_000_000, "Paling banyak Rp 500.000.000."),
    ],
)
def test_gotong_royong_figures_have_realistic_maxima(gql, actors, kr, field, value, message):
    result = gql(actors.ketua_rt_1).execute(GOTONG_ROYONG_SAVE, _gotong_royong(**{field: value}))
    payload = result["data"]["reportGotongRoyongSave"]
    assert payload["report"] is None
    assert payload["errors"] == [{"code": "too_large", "field": field, "message": message}]


def test_activity_participants_have_the_same_maximum(actors, kr):
    from tests.reports.conftest import ACTIVITY

    with pytest.raises(DomainError) as refused:
        save(actors.ketua_rt_1, Kind.ACTIVITY, {**ACTIVITY, "participants": 2_147_483_647})
    assert (refused.value.code, refused.value.field) == ("too_large", "participants")


def test_community_value_at_the_maxima_is_readable_by_everyone(gql, actors, kr):
    top = 500_000_000
    saved = gql(actors.ketua_rt_1).execute(
        GOTONG_ROYONG_SAVE,
        _gotong_royong(participants=10_000, labourValue=top, materialsValue=top, cashValue=top),
    )["data"]["reportGotongRoyongSave"]
    assert saved["errors"] == []
    query = """query { reports { results { gotongRoyong { communityValue } } } }"""
    for user in (actors.ketua_rt_1, actors.lurah, actors.camat):
        result = gql(user).execute(query)
        assert "errors" not in result
        assert result["data"]["reports"]["results"][0]["gotongRoyong"]["communityValue"] == 3 * top


def test_the_database_refuses_unrealistic_figures_too(actors, kr):
    report = save(actors.ketua_rt_1, Kind.GOTONG_ROYONG, GOTONG_ROYONG).report
    with pytest.raises(IntegrityError), transaction.atomic():
        GotongRoyongDetail.objects.filter(report=report).update(cash_value=500_000_001)


# -- compliance periods ------------------------------------------------------------


COMPLIANCE = """
query($from: Date, $to: Date) {
  compliance(dateFrom: $from, dateTo: $to) { dateFrom dateTo total { rts } }
}
"""


@pytest.mark.parametrize(
    ("date_from", "date_to", "field", "message"),
    [
        ("0001-01-01", "0001-01-10", "dateFrom", "Tanggal tidak boleh sebelum 1 Januari 2000."),
        (None, "9999-12-31", "dateTo", "Tanggal tidak boleh lebih dari 31 hari setelah hari ini."),
        ("1999-12-31", None, "dateFrom", "Tanggal tidak boleh sebelum 1 Januari 2000."),
    ],
)
def test_compliance_refuses_dates_out_of_bounds_in_indonesian(
    gql, actors, kr, date_from, date_to, field, message
):
    result = gql(actors.lurah).execute(COMPLIANCE, {"from": date_from, "to": date_to})
    (error,) = result["errors"]
    assert error["message"] == message
    assert error["extensions"]["code"] == "invalid"
    assert error["extensions"]["field"] == field


def test_compliance_takes_the_oldest_allowed_period(gql, actors, kr):
    result = gql(actors.lurah).execute(COMPLIANCE, {"from": "2000-01-01", "to": "2000-12-31"})
    assert result["data"]["compliance"]["dateFrom"] == "2000-01-01"


def test_calendar_may_ask_for_the_rest_of_the_month(gql, actors, kr):
    query = """query($to: Date) { reportingCalendar(dateTo: $to) { dateTo days { date } } }"""
    end = today() + timedelta(days=20)
    result = gql(actors.ketua_rt_1).execute(query, {"to": end.isoformat()})
    assert result["data"]["reportingCalendar"]["dateTo"] == end.isoformat()


def test_one_check_for_every_door():
    start, end = compliance.clean_period(
        None, None, default_days=30, max_days=400, today=date(2026, 5, 20)
    )
    assert (start, end) == (date(2026, 4, 21), date(2026, 5, 20))
    start, _end = compliance.clean_period(
        None, date(2000, 1, 5), default_days=30, max_days=400, today=date(2026, 5, 20)
    )
    assert start == date(2000, 1, 1)  # the default start never goes below the bound
    with pytest.raises(DomainError) as refused:
        compliance.clean_period(date(2026, 5, 2), date(2026, 5, 1), default_days=30, max_days=400)
    assert refused.value.field == "date_from"


@pytest.mark.parametrize("end", ["0001-01-01", "9999-12-31"])
def test_the_admin_compliance_page_refuses_dates_out_of_bounds(actors, kr, end):
    make_report(kr.rt1, today())
    client = Client()
    client.force_login(actors.lurah)
    response = client.get(reverse("admin:reports_rtcompliance_changelist"), {"end": end})
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    assert response.context["result"].end == today()  # the page falls back to today


def test_text_of_only_invisible_characters_counts_as_empty(actors, kr):
    from backend.common.errors import DomainError
    from backend.reports.choices import Kind
    from tests.reports.conftest import ACTIVITY, save

    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, {**ACTIVITY, "place": "\u200b\u200d\ufeff"})
    assert "place" in {p.field for p in exc.value.problems}
    report = save(
        actors.ketua_rt_1, Kind.ACTIVITY, {**ACTIVITY, "title": "Rapat\u202e warga"}
    ).report
    assert report.activitydetail.title == "Rapat warga"


def test_an_arrival_born_before_1900_is_refused(actors, kr):
    from datetime import date

    from backend.common.errors import DomainError
    from backend.reports.choices import Kind
    from tests.reports.conftest import save, stay_start

    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(birth_date=date(1, 1, 1)))
    assert "birth_date" in {p.field for p in exc.value.problems}


def test_a_death_later_today_than_now_is_refused(actors, population, monkeypatch):
    from datetime import time

    from backend.common.errors import DomainError
    from backend.reports import kinds
    from backend.reports.choices import Kind
    from tests.reports.conftest import death, save, today

    monkeypatch.setattr(kinds, "_now_wita_time", lambda: time(10, 0))
    head = population.rt1.residents.first()
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.DEATH, death(head, death_date=today(), death_time=time(23)))
    assert (exc.value.field, exc.value.code) == ("death_time", "date_in_future")
    ok = save(actors.ketua_rt_1, Kind.DEATH, death(head, death_date=today(), death_time=time(9)))
    assert ok.report.pk
