"""Report detail and history read as Indonesian: coded values by their labels for the
report's own kind ("Tempat meninggal: di rumah", never "Tempat: home"), times as
"21.15 WITA", never "21:15:00"."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from backend.audit.display import EventPresenter
from backend.audit.models import Action, AuditEvent
from backend.reports.choices import Kind
from tests.reports.conftest import ACTIVITY, death, save
from tests.reports.test_admin import change_url, client_for


def _created_rows(actor, report):
    event = AuditEvent.objects.get(
        entity_type="reports.report", entity_id=str(report.pk), action=Action.CREATED
    )
    with translation.override("id"):
        return {row.label: row.after for row in EventPresenter(actor).snapshot_rows(event)}


def test_death_report_history_shows_the_place_label_and_the_time_in_wita(actors, population):
    resident = population.rt1.residents.first()
    report = save(actors.ketua_rt_1, Kind.DEATH, death(resident, death_time=dt.time(21, 15))).report
    rows = _created_rows(actors.staf_kelurahan, report)
    assert rows["Tempat meninggal"] == "di rumah"
    assert rows["Jam meninggal"] == "21.15 WITA"
    assert "home" not in rows.values() and "21:15:00" not in rows.values()


def test_activity_history_keeps_its_own_free_text_place(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, {**ACTIVITY, "start_time": dt.time(7, 30)})
    rows = _created_rows(actors.staf_kelurahan, report.report)
    assert rows["Tempat"] == "Balai RT"
    assert rows["Jam mulai"] == "07.30 WITA"


def test_report_detail_page_shows_choice_labels_and_wita_times(actors, population):
    resident = population.rt1.residents.first()
    report = save(actors.ketua_rt_1, Kind.DEATH, death(resident, death_time=dt.time(21, 15))).report
    client = client_for(actors.staf_kelurahan)
    html = client.get(change_url(report), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "21.15 WITA" in html and "21:15:00" not in html
    assert "di rumah" in html
