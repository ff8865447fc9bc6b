"""Dates and times as Indonesians write them: "04 Desember 2026 19.05 WITA", inputs dd-mm-yyyy."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation

from backend.audit.display import format_wita
from tests.admin.conftest import admin_url, head_of, text_of

WITA_TIME = re.compile(r"\b\d{2} [A-Z][a-z]+ \d{4} \d{2}\.\d{2} WITA\b")
UTC_INSTANT = dt.datetime(2026, 12, 4, 11, 5, tzinfo=dt.UTC)


def test_the_indonesian_formats_write_the_day_twice_a_dotted_time_and_wita():
    with translation.override("id"):
        wita = UTC_INSTANT.astimezone(ZoneInfo("Asia/Makassar"))
        assert formats.date_format(wita, "DATETIME_FORMAT") == "04 Desember 2026 19.05 WITA"
        assert formats.date_format(wita.date(), "DATE_FORMAT") == "04 Desember 2026"
        assert formats.date_format(wita.date(), "SHORT_DATE_FORMAT") == "04-12-2026"
        assert formats.time_format(wita.time(), "TIME_FORMAT") == "19.05"


def test_english_keeps_the_day_first_order_and_the_wita_zone():
    with translation.override("en"):
        wita = UTC_INSTANT.astimezone(ZoneInfo("Asia/Makassar"))
        assert formats.date_format(wita, "DATETIME_FORMAT") == "04 December 2026 19:05 WITA"


def test_an_audit_time_says_wita_once():
    with translation.override("id"):
        assert format_wita(UTC_INSTANT) == "04 Desember 2026 19.05 WITA"


@pytest.mark.django_db
def test_the_dashboard_says_wita_once(client, actors, population):
    client.force_login(actors.lurah)
    text = " ".join(text_of(client.get(admin_url("index"))).split())
    assert WITA_TIME.search(text)
    assert "WITA WITA" not in text


@pytest.mark.django_db
def test_the_audit_timeline_writes_times_the_indonesian_way(client, actors, population):
    from backend.population import services

    resident = head_of(population.rt1)
    services.resident_update(actor=actors.lurah, resident=resident, name="Nama Baru Uji")
    client.force_login(actors.lurah)
    text = " ".join(text_of(client.get(admin_url("audit_auditevent_changelist"))).split())
    assert WITA_TIME.search(text)
    assert "WITA WITA" not in text


@pytest.mark.django_db
def test_a_date_input_in_the_admin_shows_dd_mm_yyyy(client, actors, population):
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)
    html = client.get(admin_url("population_resident_change", resident.pk)).content.decode()
    expected = resident.birth_date.strftime("%d-%m-%Y")
    assert re.search(rf'<input type="text" name="birth_date" value="{expected}"', html)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["30-11-2026", "30/11/2026", "2026-11-30"])
def test_the_compliance_period_end_is_typed_and_shown_day_first(client, actors, typed):
    client.force_login(actors.lurah)
    response = client.get(admin_url("reports_rtcompliance_changelist", query=f"end={typed}"))
    form = response.context["form"]

    assert form.is_valid() and form.cleaned_data["end"] == dt.date(2026, 11, 30)
    assert response.context["result"].end == dt.date(2026, 11, 30)
    (tag,) = re.findall(r'<input[^>]*name="end"[^>]*>', response.content.decode())
    assert 'type="text"' in tag and 'value="30-11-2026"' in tag
    assert 'placeholder="hh-bb-tttt"' in tag


@pytest.mark.django_db
def test_the_compliance_period_is_written_with_two_digit_days(client, actors):
    client.force_login(actors.lurah)
    response = client.get(
        admin_url("reports_rtcompliance_changelist", query="days=7&end=04-12-2026")
    )
    assert "28 November 2026 – 04 Desember 2026" in " ".join(text_of(response).split())


@pytest.mark.django_db
def test_the_admin_calendar_fills_dates_day_first(client, actors):
    """Django's date picker writes DATE_INPUT_FORMATS[0], read from the admin's jsi18n."""
    client.force_login(actors.lurah)
    script = client.get(admin_url("jsi18n")).content.decode()
    formats_block = re.search(r'"DATE_INPUT_FORMATS": \[\s*"([^"]+)"', script)
    assert formats_block and formats_block.group(1) == "%d-%m-%Y"


def test_the_admin_calendars_time_zone_note_is_indonesian(client, actors):
    client.force_login(actors.lurah)
    catalogue = client.get("/admin/jsi18n/").content.decode()
    assert "isikan jam menurut zona waktu" in catalogue
