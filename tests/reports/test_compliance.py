"""Compliance: what counts as reported, streaks, rates, roll-ups, and a fixed query count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.reports import compliance
from backend.reports.choices import State
from tests.reports.conftest import make_report

TODAY = date(2026, 3, 20)  # a Friday


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def _by_number(result):
    return {rt.number: rt for rt in result.rts}


def _compute(actor, start=None, end=TODAY, **kwargs):
    return compliance.compute(
        actor=actor, start=start or days_ago(9), end=end, today=TODAY, **kwargs
    )


def test_pending_and_approved_count_drafts_and_rejections_do_not(actors, kr):
    make_report(kr.rt1, days_ago(1), State.APPROVED)
    make_report(kr.rt1, days_ago(2), State.SUBMITTED)
    make_report(kr.rt1, days_ago(3), State.REVISION_REQUESTED)
    make_report(kr.rt1, days_ago(4), State.DRAFT)
    make_report(kr.rt1, days_ago(5), State.REJECTED)
    rt1 = _by_number(_compute(actors.lurah))[1]
    assert rt1.reported == 3
    assert rt1.last_report == days_ago(1) and rt1.days_since_last == 1
    # Waiting for a decision is submitted only; sent back for revision is apart.
    assert (rt1.pending, rt1.revision_requested) == (1, 1)
    assert rt1.streak == 3  # yesterday, and the two days before; today is not over
    assert rt1.reported_current is False


def test_rate_leaves_out_today_until_the_rt_reports(actors, kr):
    for n in range(1, 10):
        make_report(kr.rt1, days_ago(n), kind="activity")
    rt1 = _by_number(_compute(actors.lurah))[1]
    assert (rt1.expected, rt1.reported, rt1.rate_percent) == (9, 9, 100)
    make_report(kr.rt1, TODAY)
    rt1 = _by_number(_compute(actors.lurah))[1]
    assert (rt1.expected, rt1.reported, rt1.streak, rt1.reported_current) == (10, 10, 10, True)


def test_a_gap_breaks_the_streak_and_several_reports_a_day_count_once(actors, kr):
    for n in (0, 1, 1, 1, 2, 4, 5, 6):
        make_report(kr.rt1, days_ago(n), kind="activity")
    rt1 = _by_number(_compute(actors.lurah))[1]
    assert (rt1.streak, rt1.reported) == (3, 6)


def test_silent_rt_has_no_last_report_and_tops_the_not_reported_list(actors, kr):
    make_report(kr.rt1, TODAY)
    make_report(kr.rt2, days_ago(3))
    result = _compute(actors.lurah)
    rts = _by_number(result)
    assert rts[3].last_report is None and rts[3].streak == 0 and rts[3].reported == 0
    missing = [rt.number for rt in result.not_reported]
    assert 1 not in missing
    assert missing.index(3) < missing.index(2)  # never reported before 3 days silent
    assert missing[-1] == 2


def test_figures_roll_up_to_kelurahan_and_kecamatan(actors, kr, regions):
    make_report(kr.rt1, TODAY)
    make_report(kr.rt2, days_ago(1))
    jati = regions.rt(regions.karang_jati, 1)
    make_report(jati, TODAY)
    result = _compute(actors.camat)
    kel = {k.name: k for k in result.kelurahan}
    karang_rejo = kel["Karang Rejo"]
    assert karang_rejo.rts == 87
    assert karang_rejo.rts_reported_current == 1
    assert karang_rejo.reported == 2
    assert kel["Karang Jati"].rts_reported_current == 1
    assert [k.name for k in result.kecamatan] == ["Balikpapan Tengah"]
    assert result.total.reported == 3
    assert result.total.rts == sum(k.rts for k in result.kelurahan)


def test_scope_limits_the_rts_and_their_figures(actors, kr, regions):
    make_report(regions.rt(regions.karang_jati, 1), TODAY)
    assert {rt.number for rt in _compute(actors.ketua_rt_1).rts} == {1}
    assert {k.name for k in _compute(actors.lurah).kelurahan} == {"Karang Rejo"}
    assert _compute(actors.lurah).total.reported == 0
    assert _compute(actors.no_role).rts == []


def test_weekly_cadence_counts_weeks(actors, kr, settings):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "COMPLIANCE_CADENCE": "weekly"}
    # TODAY is Friday 20 March 2026; weeks run Monday to Sunday.
    make_report(kr.rt1, date(2026, 3, 16))  # this week (Monday)
    make_report(kr.rt1, date(2026, 3, 12))  # last week
    make_report(kr.rt1, date(2026, 3, 13))  # last week again
    make_report(kr.rt1, date(2026, 2, 27))  # three weeks back
    rt1 = _by_number(_compute(actors.lurah, start=date(2026, 2, 23)))[1]
    assert (rt1.reported, rt1.expected, rt1.streak) == (3, 4, 2)
    assert rt1.reported_current


def test_a_past_period_is_closed_so_a_missing_last_day_breaks_the_streak(
    actors, kr, all_kelurahan_using
):
    make_report(kr.rt1, days_ago(6))
    make_report(kr.rt1, days_ago(7))
    rt1 = _by_number(_compute(actors.lurah, start=days_ago(10), end=days_ago(5)))[1]
    assert (rt1.streak, rt1.expected, rt1.days_since_last) == (0, 6, 1)
    rt1 = _by_number(_compute(actors.lurah, start=days_ago(10), end=days_ago(6)))[1]
    assert rt1.streak == 2


def test_rt_heatmap_marks_each_day(actors, kr, all_kelurahan_using):
    make_report(kr.rt1, TODAY, State.APPROVED)
    make_report(kr.rt1, days_ago(1), State.SUBMITTED)
    make_report(kr.rt1, days_ago(2), State.REJECTED)
    result = _compute(actors.lurah, heatmap="rt")
    assert len(result.heat_days) == 30 and result.heat_days[-1] == TODAY
    row = next(r for r in result.heat_rows if r.label == "RT 001")
    assert [c.status for c in row.cells[-4:]] == ["none", "rejected", "pending", "approved"]


def test_kelurahan_heatmap_counts_rts_per_day(actors, kr, regions):
    make_report(kr.rt1, TODAY)
    make_report(kr.rt2, TODAY)
    make_report(kr.rt2, TODAY, kind="activity")
    result = _compute(actors.camat, heatmap="kelurahan")
    row = next(r for r in result.heat_rows if r.label == "Karang Rejo")
    assert row.cells[-1].rts_reported == 2 and row.rts == 87


@pytest.mark.parametrize("heatmap", [None, "rt", "kelurahan"])
def test_query_count_does_not_grow_with_rts_or_reports(
    actors, kr, regions, heatmap, django_assert_num_queries
):
    make_report(kr.rt1, TODAY)
    actors.lurah.scope, actors.admin_kota.scope  # noqa: B018 (loaded once per request)
    # RTs, kelurahan starts, per-RT figures, streaks (+ heatmap cells)
    expected = 4 + (1 if heatmap else 0)
    with django_assert_num_queries(expected):
        small = _compute(actors.lurah, heatmap=heatmap)
    for rt_number in range(1, 88):
        for n in range(0, 30, 2):
            make_report(regions.rt(regions.karang_rejo, rt_number), days_ago(n), kind="activity")
    with django_assert_num_queries(expected):
        big = _compute(actors.admin_kota, heatmap=heatmap)
    assert (len(small.rts), len(big.rts)) == (87, 140)  # Karang Rejo; the loaded city
    assert big.total.reported == 87 * 5  # days 0, 2, 4, 6, 8 of the 10-day period
