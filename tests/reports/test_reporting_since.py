"""Compliance counts only kelurahan that use Lapor RT, and only from when they started.

``LAPOR_REPORTS["REPORTING_SINCE"]`` names a kelurahan's start; without it the
start is its RTs' first sent report; with neither it is "not using Lapor RT yet":
shown as such, never as 0% compliance.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.reports import compliance, conf
from backend.reports.choices import State
from tests.reports.conftest import make_report
from tests.reports.test_admin import COMPLIANCE, client_for

TODAY = date(2026, 3, 20)


def _compute(actor, days=10, **kwargs):
    return compliance.compute(
        actor=actor, start=TODAY - timedelta(days=days - 1), end=TODAY, today=TODAY, **kwargs
    )


def _kelurahan(result):
    return {k.name: k for k in result.kelurahan}


def test_a_kelurahan_without_reports_or_start_is_not_using_lapor_rt_not_at_zero(actors, kr):
    make_report(kr.rt1, TODAY - timedelta(days=1))
    result = _compute(actors.camat)
    rejo, jati = _kelurahan(result)["Karang Rejo"], _kelurahan(result)["Karang Jati"]
    assert rejo.uses_lapor_rt and rejo.rts == 87
    assert not jati.uses_lapor_rt and jati.rate is None and jati.rts == 0
    assert jati.rts_not_using > 0
    assert result.total.rts == 87 and result.total.rts_not_using == jati.rts_not_using
    # Its RTs are not "not reported": they were never expected to.
    assert {rt.kelurahan_name for rt in result.not_reported} == {"Karang Rejo"}


def test_days_before_the_first_report_are_not_expected(actors, kr):
    make_report(kr.rt1, TODAY - timedelta(days=3))
    rts = {rt.number: rt for rt in _compute(actors.lurah).rts}
    # Started 3 days ago: that day and the two after are expected (today still open).
    assert (rts[1].expected, rts[1].reported, rts[2].expected) == (3, 1, 3)
    assert rts[2].reporting_since == TODAY - timedelta(days=3)


def test_the_setting_names_the_start_and_reports_before_it_count_for_nothing(actors, kr, settings):
    settings.LAPOR_REPORTS = {
        **settings.LAPOR_REPORTS,
        "REPORTING_SINCE": {"64.71.04.1003": (TODAY - timedelta(days=2)).isoformat()},
    }
    make_report(kr.rt1, TODAY - timedelta(days=5))  # before the start
    make_report(kr.rt1, TODAY - timedelta(days=1))
    rts = {rt.number: rt for rt in _compute(actors.lurah).rts}
    assert (rts[1].expected, rts[1].reported) == (2, 1)
    assert rts[3].expected == 2 and rts[3].last_report is None


def test_a_start_in_the_setting_later_than_the_period_means_not_using_yet(actors, kr, settings):
    settings.LAPOR_REPORTS = {
        **settings.LAPOR_REPORTS,
        "REPORTING_SINCE": {"64.71.04.1003": (TODAY + timedelta(days=5)).isoformat()},
    }
    make_report(kr.rt1, TODAY)
    result = _compute(actors.lurah)
    assert result.total.rts == 0 and result.total.rts_not_using == 87
    assert result.not_reported == []


def test_a_bad_date_in_the_setting_is_a_clear_configuration_error(settings):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "REPORTING_SINCE": {"x": "soon"}}
    with pytest.raises(ValueError, match="REPORTING_SINCE"):
        conf.reporting_since()


def test_heatmap_greys_the_days_before_the_start(actors, kr):
    make_report(kr.rt1, TODAY - timedelta(days=2), State.APPROVED)
    result = _compute(actors.lurah, heatmap="rt")
    row = next(r for r in result.heat_rows if r.label == "RT 002")
    assert [c.status for c in row.cells[-4:]] == ["inactive", "none", "none", "none"]


def test_compliance_page_and_dashboard_say_not_using_lapor_rt(actors, kr):
    html = client_for(actors.lurah_karang_jati).get(COMPLIANCE).content.decode()
    assert "Belum menggunakan Lapor RT" in html
    assert 'id="figure-rate">-<' in html  # no rate, never 0%
    panel_html = client_for(actors.lurah_karang_jati).get("/admin/").content.decode()
    assert 'data-figure="not_using"' in panel_html
    camat_html = client_for(actors.camat).get(COMPLIANCE).content.decode()
    assert "belum menggunakan Lapor RT" in camat_html


def test_graphql_compliance_tells_which_rts_use_lapor_rt(actors, kr, gql):
    make_report(kr.rt1, TODAY)
    out = gql(actors.camat).execute(
        "{ compliance { total { rts rtsNotUsing } kelurahan { name rtsNotUsing } } }"
    )
    total = out["data"]["compliance"]["total"]
    assert total["rts"] == 87 and total["rtsNotUsing"] > 0


def test_a_rejected_report_still_starts_the_kelurahans_use_of_lapor_rt(actors, kr):
    make_report(kr.rt1, TODAY - timedelta(days=1), State.REJECTED)
    result = _compute(actors.lurah, heatmap="rt")
    rt1 = next(rt for rt in result.rts if rt.number == 1)
    assert rt1.uses_lapor_rt and (rt1.expected, rt1.reported) == (1, 0)
    row = next(r for r in result.heat_rows if r.label == "RT 001")
    assert row.cells[-2].status == "rejected"
