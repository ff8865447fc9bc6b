"""The approval workflow: declared transitions, who may fire them, reasons, audit events."""

from __future__ import annotations

import pytest

from backend.audit.models import Action, AuditEvent
from backend.common.errors import DomainError
from backend.reports import services, workflow
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.reports.conftest import ACTIVITY, key, save, submit_activity


def _actions(report) -> list[str]:
    return list(
        AuditEvent.objects.filter(entity_type="reports.report", entity_id=str(report.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_submitted_report_waits_in_the_kelurahan_queue(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    assert report.state == State.SUBMITTED
    assert report.rt == kr.rt1
    assert report.submitted_at is not None
    assert _actions(report) == [Action.CREATED, Action.SUBMITTED]


def test_approval_by_kelurahan_staff_is_final_and_audited(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    approved = services.report_approve(actor=actors.staf_kelurahan, report=report)
    assert approved.state == State.APPROVED
    assert approved.decided_by == actors.staf_kelurahan
    event = AuditEvent.objects.filter(action=Action.APPROVED).get()
    assert event.actor == actors.staf_kelurahan
    assert event.changes == {"state": ["submitted", "approved"]}
    assert event.rt_id == kr.rt1.pk and event.kelurahan_id == kr.rt1.kelurahan_id


def test_rejection_needs_a_reason_and_keeps_it(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    with pytest.raises(DomainError) as exc:
        services.report_reject(actor=actors.lurah, report=report, reason="   ")
    assert exc.value.code == "reason_required" and exc.value.field == "reason"
    assert Report.objects.get(pk=report.pk).state == State.SUBMITTED

    rejected = services.report_reject(actor=actors.lurah, report=report, reason="Foto buram")
    assert rejected.state == State.REJECTED
    assert rejected.decision_reason == "Foto buram"
    event = AuditEvent.objects.get(action=Action.REJECTED)
    assert event.note == "Foto buram"


def test_revision_request_goes_back_to_the_rt_and_returns_on_resubmission(actors, kr):
    client_key = key()
    first = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key).report
    services.report_request_revision(
        actor=actors.staf_kelurahan, report=first, reason="Jumlah peserta?"
    )
    assert Report.objects.get(pk=first.pk).state == State.REVISION_REQUESTED

    fixed = save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        {**ACTIVITY, "participants": 31},
        client_key=client_key,
    )
    assert fixed.report.pk == first.pk and not fixed.created
    assert fixed.report.state == State.SUBMITTED
    assert fixed.report.activitydetail.participants == 31
    assert _actions(first) == [
        Action.CREATED,
        Action.SUBMITTED,
        Action.REVISION_REQUESTED,
        Action.UPDATED,
        Action.SUBMITTED,
    ]


def test_withdrawn_report_becomes_a_draft_and_can_be_sent_again(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    withdrawn = services.report_withdraw(actor=actors.ketua_rt_1, report=report)
    assert withdrawn.state == State.DRAFT
    again = services.report_submit(actor=actors.ketua_rt_1, report=report)
    assert again.state == State.SUBMITTED
    assert _actions(report)[-2:] == [Action.WITHDRAWN, Action.SUBMITTED]


def test_a_decided_report_cannot_be_withdrawn_edited_deleted_or_decided_again(actors, kr):
    client_key = key()
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key).report
    services.report_approve(actor=actors.lurah, report=report)
    for attempt in (
        lambda: services.report_withdraw(actor=actors.ketua_rt_1, report=report),
        lambda: services.report_delete(actor=actors.ketua_rt_1, report=report),
        lambda: services.report_reject(actor=actors.staf_kelurahan, report=report, reason="x"),
        lambda: save(
            actors.ketua_rt_1, Kind.ACTIVITY, {**ACTIVITY, "title": "Lain"}, client_key=client_key
        ),
    ):
        with pytest.raises(DomainError) as exc:
            attempt()
        assert exc.value.code == "already_decided"
    stored = Report.objects.get(pk=report.pk)
    assert stored.state == State.APPROVED and stored.activitydetail.title == ACTIVITY["title"]
    assert workflow.report_can_be_restored(stored) is False


def test_restore_rule_allows_only_what_the_rt_may_still_edit(actors, kr):
    draft = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, submit=False).report
    assert workflow.report_can_be_restored(draft) is True
    services.report_submit(actor=actors.ketua_rt_1, report=draft)
    assert workflow.report_can_be_restored(Report.objects.get(pk=draft.pk)) is False
    services.report_reject(actor=actors.lurah, report=draft, reason="Ganda")
    assert workflow.report_can_be_restored(Report.objects.get(pk=draft.pk)) is False


def test_state_cannot_be_assigned_outside_a_declared_transition(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    with pytest.raises(AttributeError):
        report.state = State.APPROVED


def test_only_drafts_can_be_deleted(actors, kr):
    draft = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, submit=False).report
    submitted = submit_activity(actors.ketua_rt_1)
    with pytest.raises(DomainError) as exc:
        services.report_delete(actor=actors.ketua_rt_1, report=submitted)
    assert exc.value.code == "report_not_editable"
    services.report_delete(actor=actors.ketua_rt_1, report=draft)
    assert not Report.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action=Action.DELETED, entity_id=str(draft.pk)).exists()


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("ketua_rt_1", "permission_denied"),  # reporters do not decide
        ("camat", "permission_denied"),  # the kecamatan reads
        ("staf_kecamatan", "permission_denied"),
        ("lurah_karang_jati", "not_found"),  # another kelurahan does not even see it
        ("camat_selatan", "not_found"),
        ("no_role", "not_found"),
    ],
)
def test_only_the_kelurahan_decides(actors, kr, role, code):
    report = submit_activity(actors.ketua_rt_1)
    with pytest.raises(DomainError) as exc:
        services.report_approve(actor=getattr(actors, role), report=report)
    assert exc.value.code == code
    assert Report.objects.get(pk=report.pk).state == State.SUBMITTED


@pytest.mark.parametrize("role", ["staf_kelurahan", "lurah", "admin_kota"])
def test_kelurahan_staff_lurah_and_city_admin_decide(actors, kr, role):
    report = submit_activity(actors.ketua_rt_1)
    assert services.report_approve(actor=getattr(actors, role), report=report).state == "approved"


def test_nobody_decides_on_their_own_report(actors, kr):
    from backend.accounts.roles import Role
    from tests.conftest import assign

    assign(actors.staf_kelurahan, Role.KETUA_RT, kr.rt2)
    staff = type(actors.staf_kelurahan).objects.get(pk=actors.staf_kelurahan.pk)
    report = save(staff, Kind.ACTIVITY, ACTIVITY, rt=kr.rt2).report
    with pytest.raises(DomainError) as exc:
        services.report_approve(actor=staff, report=report)
    assert exc.value.code == "own_report"


@pytest.mark.parametrize(
    "role", ["staf_kelurahan", "lurah", "camat", "ketua_rt_2", "admin_kota", "no_role"]
)
def test_only_the_ketua_rt_files_reports_for_their_rt(actors, kr, role):
    with pytest.raises(DomainError) as exc:
        save(getattr(actors, role), Kind.ACTIVITY, ACTIVITY, rt=kr.rt1)
    assert exc.value.code in {"permission_denied", "out_of_scope"}
    assert not Report.objects.exists()


def test_another_ketua_rt_cannot_withdraw_my_report(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    with pytest.raises(DomainError) as exc:
        services.report_withdraw(actor=actors.ketua_rt_2, report=report)
    assert exc.value.code == "not_found"


def test_bulk_decision_goes_report_by_report_and_names_the_failures(actors, kr):
    a = submit_activity(actors.ketua_rt_1)
    b = submit_activity(actors.ketua_rt_1)
    c = submit_activity(actors.ketua_rt_2)
    services.report_approve(actor=actors.lurah, report=b)
    result = services.report_decide_many(
        actor=actors.staf_kelurahan, reports=[a.pk, b.pk, c.pk], decision="approve"
    )
    assert [r.pk for r in result.done] == [a.pk, c.pk]
    assert [(pk, exc.code) for pk, exc in result.failed] == [(b.pk, "already_decided")]


def test_available_transitions_follow_role_and_state(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    names = lambda user: sorted(t.name for t in workflow.available(report, user))  # noqa: E731
    assert names(actors.ketua_rt_1) == ["withdraw"]
    assert names(actors.staf_kelurahan) == ["approve", "reject", "request_revision"]
    assert names(actors.camat) == []


def test_a_decided_report_refuses_deletion_even_outside_the_services(actors, kr):
    report = submit_activity(actors.ketua_rt_1)
    services.report_approve(actor=actors.lurah, report=report)
    with pytest.raises(DomainError) as exc:
        Report.objects.get(pk=report.pk).delete()
    assert exc.value.code == "already_decided"
    assert Report.objects.filter(pk=report.pk).exists()
