"""Activity, gotong royong, issue and nihil reports: their checks and their effects."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.audit.models import Action, AuditEvent
from backend.common.errors import DomainError
from backend.reports import services
from backend.reports.choices import FollowUp, Kind, State
from backend.reports.models import Report
from tests.reports.conftest import ACTIVITY, GOTONG_ROYONG, ISSUE, key, save, today


def test_activity_checks_come_back_per_field(actors, kr):
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.ACTIVITY,
            {**ACTIVITY, "participants": 0, "title": "", "category": "karaoke"},
        )
    problems = {p.field: p.code for p in exc.value.problems}
    assert problems == {"participants": "invalid", "title": "required", "category": "invalid"}
    assert not Report.objects.exists()


def test_report_date_may_be_a_few_days_back_but_never_ahead(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, report_date=today() - timedelta(3))
    assert report.report.report_date == today() - timedelta(3)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, report_date=today() + timedelta(1))
    assert (exc.value.code, exc.value.field) == ("date_in_future", "report_date")
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, report_date=today() - timedelta(30))
    assert (exc.value.code, exc.value.field) == ("date_too_old", "report_date")


def test_gotong_royong_keeps_institutions_and_contributions(actors, kr):
    report = save(actors.ketua_rt_1, Kind.GOTONG_ROYONG, GOTONG_ROYONG).report
    detail = report.gotongroyongdetail
    assert detail.institutions == ["pkk", "rt"]
    assert detail.community_value == 1_850_000
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.GOTONG_ROYONG,
            {**GOTONG_ROYONG, "institutions": ["ormas-x"], "cash_value": -5},
        )
    assert {p.field for p in exc.value.problems} == {"institutions", "cash_value"}


def test_bbgrm_outside_may_is_accepted_with_a_warning(actors, kr):
    result = save(actors.ketua_rt_1, Kind.GOTONG_ROYONG, {**GOTONG_ROYONG, "is_bbgrm": True})
    expected = [] if today().month == 5 else ["bbgrm_outside_may"]
    assert [w.code for w in result.warnings] == expected
    assert result.report.gotongroyongdetail.is_bbgrm


def test_issue_follow_up_is_moved_by_kelurahan_staff_after_approval(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ISSUE, ISSUE).report
    with pytest.raises(DomainError) as exc:
        services.issue_follow_up_set(actor=actors.staf_kelurahan, report=report, status="done")
    assert exc.value.code == "report_not_submitted"
    services.report_approve(actor=actors.staf_kelurahan, report=report)
    assert Report.objects.get(pk=report.pk).issuedetail.follow_up == FollowUp.NEW

    for role in ("ketua_rt_1", "camat"):
        with pytest.raises(DomainError) as exc:
            services.issue_follow_up_set(
                actor=getattr(actors, role), report=report, status=FollowUp.DONE
            )
        assert exc.value.code == "permission_denied"

    services.issue_follow_up_set(
        actor=actors.staf_kelurahan,
        report=report,
        status=FollowUp.IN_PROGRESS,
        note="Diteruskan ke PLN",
    )
    detail = Report.objects.get(pk=report.pk).issuedetail
    assert (detail.follow_up, detail.follow_up_note) == (FollowUp.IN_PROGRESS, "Diteruskan ke PLN")
    assert detail.follow_up_by == actors.staf_kelurahan
    event = AuditEvent.objects.filter(action=Action.UPDATED, note="follow-up").get()
    assert event.changes["follow_up"] == ["new", "in_progress"]


def test_nihil_counts_at_once_without_a_review(actors, kr):
    report = save(actors.ketua_rt_1, Kind.NIHIL).report
    assert report.state == State.APPROVED and report.decided_by is None
    assert AuditEvent.objects.filter(action=Action.APPROVED, note="automatic").exists()


def test_nihil_review_can_be_switched_on(actors, kr, settings):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "AUTO_APPROVE_KINDS": []}
    assert save(actors.ketua_rt_1, Kind.NIHIL).report.state == State.SUBMITTED


def test_one_nihil_per_rt_and_day(actors, kr):
    save(actors.ketua_rt_1, Kind.NIHIL)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.NIHIL)
    assert (exc.value.code, exc.value.field) == ("nihil_already_reported", "report_date")
    save(actors.ketua_rt_1, Kind.NIHIL, report_date=today() - timedelta(1))
    save(actors.ketua_rt_2, Kind.NIHIL)
    assert Report.objects.filter(kind=Kind.NIHIL).count() == 3


def test_nihil_has_no_photos(actors, kr):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.reports.conftest import jpeg_bytes

    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.NIHIL,
            photo_uploads=[SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")],
        )
    assert exc.value.field == "photos"


def test_unknown_kind_is_refused(actors, kr):
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, "birthday", {})
    assert exc.value.field == "kind"


def test_a_frozen_rt_takes_no_new_reports(actors, kr):
    from backend.wilayah.models import RT

    RT.objects.filter(pk=kr.rt1.pk).update(is_active=False)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.NIHIL)
    assert (exc.value.code, exc.value.field) == ("invalid", "rt")


def test_a_nihil_saved_under_a_new_key_takes_over_the_own_nihil_draft(actors, kr):
    draft = save(actors.ketua_rt_1, Kind.NIHIL, submit=False).report
    new_key = key()
    sent = save(actors.ketua_rt_1, Kind.NIHIL, client_key=new_key, note="Aman")
    assert (sent.report.pk, sent.created, sent.replayed) == (draft.pk, False, False)
    report = Report.objects.get()
    assert (report.state, report.client_key, report.note) == (State.APPROVED, new_key, "Aman")
    changed = AuditEvent.objects.filter(action=Action.UPDATED, entity_id=str(draft.pk)).get()
    assert changed.changes["client_key"][1] == new_key
    retry = save(actors.ketua_rt_1, Kind.NIHIL, client_key=new_key, note="Aman")
    assert retry.replayed and retry.report.pk == draft.pk  # the retry finds it by its new key
    with pytest.raises(DomainError) as again:
        save(actors.ketua_rt_1, Kind.NIHIL)  # now really reported
    assert again.value.code == "nihil_already_reported"


def test_a_nihil_draft_kept_again_under_a_new_key_stays_one_draft(actors, kr):
    save(actors.ketua_rt_1, Kind.NIHIL, submit=False)
    save(actors.ketua_rt_1, Kind.NIHIL, submit=False)
    assert list(Report.objects.values_list("state", flat=True)) == [State.DRAFT]


def test_someone_elses_nihil_draft_blocks_nobody(actors, kr):
    from backend.accounts.models import RoleAssignment
    from backend.accounts.roles import Role

    RoleAssignment.objects.create(user=actors.ketua_rt_2, role=Role.KETUA_RT, rt=kr.rt1)
    actors.ketua_rt_2.__dict__.pop("_scope", None)
    theirs = save(actors.ketua_rt_1, Kind.NIHIL, submit=False).report
    mine = save(actors.ketua_rt_2, Kind.NIHIL, rt=kr.rt1.code).report
    assert mine.pk != theirs.pk and mine.state == State.APPROVED
    with pytest.raises(DomainError) as late:
        services.report_submit(actor=actors.ketua_rt_1, report=theirs)
    assert late.value.problems[0].code == "nihil_already_reported"
