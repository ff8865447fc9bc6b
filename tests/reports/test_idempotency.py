"""Client keys: a retried phone request returns the first result and creates nothing new."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditEvent
from backend.common.errors import DomainError
from backend.reports import services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.reports.conftest import ACTIVITY, key, save


def test_the_same_request_twice_creates_one_report(actors, kr):
    client_key = key()
    first = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key)
    events = AuditEvent.objects.count()
    second = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY), client_key=client_key)
    assert (first.created, first.replayed) == (True, False)
    assert (second.created, second.replayed) == (False, True)
    assert second.report.pk == first.report.pk
    assert Report.objects.count() == 1
    assert AuditEvent.objects.count() == events  # a replay writes nothing


def test_a_retry_after_approval_still_returns_the_report(actors, population):
    from tests.reports.conftest import death

    head = population.rt1.residents.order_by("relationship").first()
    client_key = key()
    first = save(actors.ketua_rt_1, Kind.DEATH, death(head), client_key=client_key).report
    services.report_approve(actor=actors.staf_kelurahan, report=first)
    # The resident is now deceased, yet the lost-response retry is not refused.
    again = save(actors.ketua_rt_1, Kind.DEATH, death(head), client_key=client_key)
    assert again.replayed and again.report.pk == first.pk
    assert again.report.state == State.APPROVED


def test_other_content_under_a_submitted_key_must_be_withdrawn_first(actors, kr):
    client_key = key()
    save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, {**ACTIVITY, "title": "Lain"}, client_key=client_key)
    assert exc.value.code == "report_not_editable"


def test_a_key_cannot_switch_kinds(actors, kr):
    client_key = key()
    save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.NIHIL, client_key=client_key)
    assert exc.value.code == "client_key_reused"


def test_draft_then_submit_with_the_same_key(actors, kr):
    client_key = key()
    draft = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key, submit=False)
    assert draft.report.state == State.DRAFT
    assert save(
        actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key, submit=False
    ).replayed
    sent = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key)
    assert sent.report.pk == draft.report.pk and sent.report.state == State.SUBMITTED
    assert not sent.replayed


def test_keys_belong_to_their_reporter(actors, kr):
    client_key = key()
    a = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key).report
    b = save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY, client_key=client_key).report
    assert a.pk != b.pk


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "spasi di dalam kunci"])
def test_client_key_must_be_a_plain_token(actors, kr, bad):
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=bad)
    assert exc.value.field == "client_key"


def test_resubmitting_a_waiting_report_by_id_changes_nothing(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    events = AuditEvent.objects.count()
    again = services.report_submit(actor=actors.ketua_rt_1, report=report)
    assert again.state == State.SUBMITTED and AuditEvent.objects.count() == events


def test_a_late_retry_after_a_revision_request_changes_nothing(actors, kr):
    """The first submission's response was lost; the phone retries after the kelurahan
    sent the report back: the first result comes back and the report stays sent back."""
    client_key = key()
    first = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key).report
    services.report_request_revision(
        actor=actors.staf_kelurahan, report=first, reason="Jumlah peserta salah"
    )
    events = AuditEvent.objects.count()
    again = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY), client_key=client_key)
    assert again.replayed and again.report.pk == first.pk
    assert Report.objects.get(pk=first.pk).state == State.REVISION_REQUESTED
    assert AuditEvent.objects.count() == events


def test_a_late_retry_after_a_withdrawal_leaves_the_draft_a_draft(actors, kr):
    client_key = key()
    first = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key).report
    services.report_withdraw(actor=actors.ketua_rt_1, report=first)
    again = save(actors.ketua_rt_1, Kind.ACTIVITY, dict(ACTIVITY), client_key=client_key)
    assert again.replayed
    assert Report.objects.get(pk=first.pk).state == State.DRAFT


def test_revised_content_sent_back_is_a_new_submission(actors, kr):
    client_key = key()
    first = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key).report
    services.report_request_revision(actor=actors.staf_kelurahan, report=first, reason="Kurang")
    revised = {**ACTIVITY, "participants": ACTIVITY["participants"] + 5}
    draft = save(actors.ketua_rt_1, Kind.ACTIVITY, revised, client_key=client_key, submit=False)
    assert draft.report.state == State.REVISION_REQUESTED
    sent = save(actors.ketua_rt_1, Kind.ACTIVITY, revised, client_key=client_key)
    assert not sent.replayed and sent.report.state == State.SUBMITTED
