"""One "waiting for a decision": the dashboard, the compliance page, GraphQL and the
queue count the same reports (sent, not decided); reports sent back for revision
are counted apart, never as waiting."""

from __future__ import annotations

import re
from datetime import timedelta

from backend.reports import compliance, selectors, services
from backend.reports.choices import Kind, State
from tests.reports.conftest import ACTIVITY, make_report, save, today
from tests.reports.test_admin import COMPLIANCE, QUEUE, _panel, client_for


def _waiting_and_sent_back(actors, kr):
    save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY)
    save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY)
    # Dated long ago: still waiting now, whatever the compliance period.
    make_report(kr.rt2, today() - timedelta(days=200), State.SUBMITTED, kind="activity")
    for actor in (actors.ketua_rt_1, actors.ketua_rt_2):
        sent_back = save(actor, Kind.ACTIVITY, ACTIVITY).report
        services.report_request_revision(actor=actors.staf_kelurahan, report=sent_back, reason="x")


def test_dashboard_compliance_and_queue_agree_on_waiting_and_count_revision_apart(actors, kr):
    _waiting_and_sent_back(actors, kr)
    client = client_for(actors.lurah)
    queue = client.get(QUEUE).context["cl"].result_count
    panel = _panel(client.get("/admin/"), "reports")
    page = client.get(COMPLIANCE)
    assert queue == 3
    assert panel["reports_waiting"] == 3 and panel["reports_revision"] == 2
    assert page.context["waiting"] == {"waiting": 3, "revision": 2}
    html = page.content.decode()
    assert re.search(r'id="figure-pending"><a href="[^"]+">3</a>', html)
    # One link per figure: no <a> nested in another (browsers split such a card apart).
    start = html.rindex("<div", 0, html.index("Menunggu keputusan"))
    assert "<a " not in html[start : html.index('id="figure-pending"')]
    assert "2 dikembalikan untuk perbaikan" in html
    assert selectors.report_waiting(actor=actors.lurah).count() == 3


def test_compliance_per_rt_pending_is_waiting_only_and_revision_is_separate(actors, kr):
    _waiting_and_sent_back(actors, kr)
    result = compliance.compute(actor=actors.lurah, start=today() - timedelta(days=6), end=today())
    rts = {rt.number: rt for rt in result.rts}
    assert (rts[1].pending, rts[1].revision_requested) == (1, 1)
    assert (rts[2].pending, rts[2].revision_requested) == (2, 1)
    assert (result.total.pending, result.total.revision_requested) == (3, 2)
    # A report sent back still counts as reported for its day.
    assert rts[1].reported_current


def test_reporting_calendar_separates_waiting_from_sent_back(actors, kr):
    _waiting_and_sent_back(actors, kr)
    days = compliance.rt_calendar(actor=actors.ketua_rt_1, rt=kr.rt1, start=today(), end=today())
    assert (days[0].pending, days[0].revision_requested, days[0].reported) == (1, 1, True)


def test_graphql_compliance_reports_pending_and_revision_requested(actors, kr, gql):
    _waiting_and_sent_back(actors, kr)
    out = gql(actors.lurah).execute("{ compliance { total { pending revisionRequested } } }")
    assert out["data"]["compliance"]["total"] == {"pending": 3, "revisionRequested": 2}


def test_sent_back_reads_the_same_on_every_page():
    from django.utils import translation

    from backend.audit.models import Action

    with translation.override("id"):
        assert str(State.REVISION_REQUESTED.label) == "dikembalikan untuk perbaikan"
        assert str(Action.REVISION_REQUESTED.label) == "dikembalikan untuk perbaikan"
