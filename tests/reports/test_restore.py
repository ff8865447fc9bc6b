"""Restoring an earlier version of a report from its audit trail.

Through ``backend.audit.restore`` (the door every restore uses): only the
report's Ketua RT, only while the report may still be changed, the content
checked again like an edit, a ``restored`` event; a decided report is never
restored nor un-deleted.
"""

from __future__ import annotations

import pytest

from backend.audit import restore
from backend.audit.models import Action, AuditEvent
from backend.common.errors import DomainError
from backend.population import codes
from backend.population import services as population_services
from backend.reports import services
from backend.reports.choices import Kind, State
from backend.reports.models import ActivityDetail, DeathDetail, Report
from tests.reports.conftest import ACTIVITY, death, key, save, today

pytestmark = pytest.mark.django_db


def _events(report, action=None):
    events = AuditEvent.objects.filter(entity_type="reports.report", entity_id=str(report.pk))
    return events.filter(action=action) if action else events


def _two_versions(actor, **first):
    """A draft saved twice: 24 participants, then 40. Returns (report, first version's event)."""
    client_key = key()
    report = save(
        actor, Kind.ACTIVITY, {**ACTIVITY, **first}, client_key=client_key, submit=False
    ).report
    save(
        actor,
        Kind.ACTIVITY,
        {**ACTIVITY, **first, "participants": 40},
        client_key=client_key,
        submit=False,
    )
    return report, _events(report, Action.CREATED).get()


def test_a_ketua_rt_restores_an_earlier_version_of_a_draft(actors, kr, log):
    report, created = _two_versions(actors.ketua_rt_1)
    log.mark()

    restored = restore.restore(actor=actors.ketua_rt_1, event=created)

    assert restored.pk == report.pk and restored.state == State.DRAFT
    assert ActivityDetail.objects.get(report=report).participants == 24
    (event,) = log.new()
    assert (event.action, event.actor_id, event.entity_id) == (
        Action.RESTORED,
        actors.ketua_rt_1.pk,
        str(report.pk),
    )
    assert event.changes == {"participants": [40, 24]}
    assert event.snapshot["participants"] == 24 and event.rt_id == kr.rt1.pk
    assert f"#{created.pk}" in event.note


def test_a_report_sent_back_for_revision_can_be_restored(actors, kr):
    report, created = _two_versions(actors.ketua_rt_1)
    services.report_submit(actor=actors.ketua_rt_1, report=report)
    services.report_request_revision(actor=actors.lurah, report=report, reason="Cek peserta")

    restore.restore(actor=actors.ketua_rt_1, event=created)

    stored = Report.objects.get(pk=report.pk)
    assert stored.state == State.REVISION_REQUESTED  # the state is never restored
    assert stored.activitydetail.participants == 24


@pytest.mark.parametrize(
    ("decide", "code"),
    [
        (None, "report_not_editable"),
        ("approve", "already_decided"),
        ("reject", "already_decided"),
    ],
)
def test_a_submitted_or_decided_report_is_not_restored(actors, kr, log, decide, code):
    report, created = _two_versions(actors.ketua_rt_1)
    services.report_submit(actor=actors.ketua_rt_1, report=report)
    if decide == "approve":
        services.report_approve(actor=actors.lurah, report=report)
    elif decide == "reject":
        services.report_reject(actor=actors.lurah, report=report, reason="Ganda")
    log.mark()

    with pytest.raises(DomainError) as refused:
        restore.restore(actor=actors.ketua_rt_1, event=created)

    assert refused.value.code == code
    assert ActivityDetail.objects.get(report=report).participants == 40
    assert log.new() == []


def test_a_deleted_draft_comes_back_as_it_was(actors, kr):
    report, _created = _two_versions(actors.ketua_rt_1)
    pk, client_key = report.pk, report.client_key
    services.report_delete(actor=actors.ketua_rt_1, report=report)
    deleted = _events(report, Action.DELETED).get()

    restored = restore.restore(actor=actors.ketua_rt_1, event=deleted)

    stored = Report.objects.get(pk=pk)
    assert restored.pk == pk and stored.state == State.DRAFT
    assert (stored.client_key, stored.reporter_id) == (client_key, actors.ketua_rt_1.pk)
    assert stored.activitydetail.participants == 40
    # The phone's retry of the same save is recognised again.
    again = save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        {**ACTIVITY, "participants": 40},
        client_key=client_key,
        submit=False,
    )
    assert again.report.pk == pk


def test_a_decided_report_is_never_undeleted(actors, kr):
    report, created = _two_versions(actors.ketua_rt_1)
    services.report_submit(actor=actors.ketua_rt_1, report=report)
    services.report_approve(actor=actors.lurah, report=report)
    # Gone behind the services' back (a reset of the demo does this).
    Report.objects.filter(pk=report.pk).delete()

    with pytest.raises(DomainError) as refused:
        restore.restore(actor=actors.ketua_rt_1, event=created)

    assert refused.value.code == "already_decided"
    assert not Report.objects.filter(pk=report.pk).exists()


def test_the_restored_content_is_checked_again(actors, population, log):
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    wife = population.rt1.residents.get(relationship=codes.Relationship.WIFE)
    client_key = key()
    report = save(actors.ketua_rt_1, Kind.DEATH, death(head), client_key=client_key, submit=False)
    report = report.report
    save(actors.ketua_rt_1, Kind.DEATH, death(wife), client_key=client_key, submit=False)
    created = _events(report, Action.CREATED).get()
    population_services.resident_mark_deceased(
        actor=actors.lurah, resident=head, death_date=today()
    )
    log.mark()

    with pytest.raises(DomainError) as refused:
        restore.restore(actor=actors.ketua_rt_1, event=created)

    assert refused.value.problems[0].code == "resident_already_deceased"
    assert DeathDetail.objects.get(report=report).resident_id == wife.pk
    assert log.new() == []


def test_only_the_ketua_rt_of_the_rt_restores_and_the_refusal_is_recorded(actors, kr, log):
    report, created = _two_versions(actors.ketua_rt_1)
    with pytest.raises(DomainError) as draft_by_lurah:
        restore.restore(actor=actors.lurah, event=created)
    assert draft_by_lurah.value.code == "not_found"  # a draft is its reporter's only
    services.report_submit(actor=actors.ketua_rt_1, report=report)
    services.report_request_revision(actor=actors.staf_kelurahan, report=report, reason="Cek")
    log.mark()

    with pytest.raises(DomainError) as by_lurah:
        restore.restore(actor=actors.lurah, event=created)
    with pytest.raises(DomainError) as by_other_rt:
        restore.restore(actor=actors.ketua_rt_2, event=created)

    assert by_lurah.value.code == "permission_denied"
    assert by_other_rt.value.code == "not_found"  # another RT's report is not even there
    assert ActivityDetail.objects.get(report=report).participants == 40
    (refusal,) = log.new()
    assert (refusal.action, refusal.actor_id, refusal.entity_id) == (
        Action.PERMISSION_DENIED,
        actors.lurah.pk,
        str(report.pk),
    )


def test_report_events_hold_versions_that_the_history_page_offers_to_restore(actors, kr):
    _report, created = _two_versions(actors.ketua_rt_1)
    assert restore.is_restorable(created)
    assert created.changes == {} and created.field_changes()["participants"] == [None, 24]
    assert created.snapshot["state"] == State.DRAFT
