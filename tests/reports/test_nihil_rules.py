"""Nihil ("nothing to report") against the RT's other reports of the same day.

- A nihil is refused when the RT already sent a report for that day that was
  not withdrawn or rejected.
- A real report after a nihil of the same day is accepted with a warning; the
  nihil stays (it was approved on submission; a decision is final) and
  compliance counts the day once.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from backend.common.errors import DomainError
from backend.reports import compliance, services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.reports.conftest import ACTIVITY, ISSUE, key, make_report, save, today, yesterday
from tests.reports.test_graphql import NIHIL_SAVE, phone  # noqa: F401 (fixture)


def test_nihil_is_refused_when_the_rt_already_sent_a_report_that_day(actors, kr):
    save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.NIHIL)
    assert (exc.value.code, exc.value.field) == ("nihil_after_reports", "report_date")
    with translation.override("id"):
        assert exc.value.problems[0].render() == (
            "RT ini sudah mengirim laporan untuk tanggal itu, sehingga tidak dapat "
            "melaporkan nihil (tidak ada yang dilaporkan)."
        )
    assert not Report.objects.filter(kind=Kind.NIHIL).exists()
    # Another day, or another RT, is not concerned.
    save(actors.ketua_rt_1, Kind.NIHIL, report_date=yesterday())
    save(actors.ketua_rt_2, Kind.NIHIL)


@pytest.mark.parametrize("state", [State.SUBMITTED, State.REVISION_REQUESTED, State.APPROVED])
def test_nihil_is_refused_after_a_report_waiting_sent_back_or_approved(actors, kr, state):
    make_report(kr.rt1, today(), state, kind="issue")
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.NIHIL)
    assert exc.value.code == "nihil_after_reports"


def test_nihil_is_allowed_when_the_days_other_reports_were_rejected_or_withdrawn(actors, kr):
    make_report(kr.rt1, today(), State.REJECTED, kind="activity")
    withdrawn = save(actors.ketua_rt_1, Kind.ISSUE, ISSUE).report
    services.report_withdraw(actor=actors.ketua_rt_1, report=withdrawn)
    assert save(actors.ketua_rt_1, Kind.NIHIL).report.state == State.APPROVED


def test_a_nihil_draft_cannot_be_sent_after_a_real_report_of_that_day(actors, kr):
    draft = save(actors.ketua_rt_1, Kind.NIHIL, submit=False).report
    save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY)
    with pytest.raises(DomainError) as exc:
        services.report_submit(actor=actors.ketua_rt_1, report=draft)
    assert exc.value.code == "nihil_after_reports"


def test_a_real_report_after_nihil_is_accepted_with_a_warning_and_the_day_counts_once(actors, kr):
    nihil = save(actors.ketua_rt_1, Kind.NIHIL).report
    result = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY)
    assert result.report.state == State.SUBMITTED
    assert [(w.code, w.field) for w in result.warnings] == [("nihil_same_day", "report_date")]
    with translation.override("id"):
        assert "sudah melaporkan nihil" in result.warnings[0].render()
    assert Report.objects.get(pk=nihil.pk).state == State.APPROVED  # the nihil stays
    rt1 = next(
        rt
        for rt in compliance.compute(actor=actors.lurah, start=today(), end=today()).rts
        if rt.rt_id == kr.rt1.pk
    )
    assert (rt1.reported, rt1.expected) == (1, 1)


def test_graphql_refuses_nihil_after_a_report_naming_report_date(phone, actors, kr):  # noqa: F811
    save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY)
    out = phone.execute(NIHIL_SAVE, {"input": {"clientKey": key()}}, HTTP_ACCEPT_LANGUAGE="id")
    errors = out["data"]["reportNihilSave"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("nihil_after_reports", "reportDate")]
