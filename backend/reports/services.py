"""Every change to reports: save (draft or submit), withdraw, delete a draft, decide,
and move an issue's follow-up.

Each service checks the actor's scope and the workflow (``workflow.TRANSITIONS``),
validates, writes inside ``transaction.atomic()`` together with its audit
events, and returns the report. A decision locks the report row first, so of
two staff deciding at once exactly one decision stands; the other gets
``already_decided``. The approval's effect (a resident marked deceased, a stay
opened or closed) happens in the same transaction as the decision.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from backend.accounts.roles import Cap
from backend.audit import restore
from backend.audit.display import describe_fields_with
from backend.audit.models import Action, AuditEvent
from backend.audit.refusals import audit_refusals
from backend.audit.services import diff, record, snapshot, to_json
from backend.common.errors import Code, DomainError, Problem
from backend.population.age import today_wita
from backend.reports import conf, kinds, photos, selectors, workflow
from backend.reports.choices import DECIDED_STATES, EDITABLE_STATES, FollowUp, Kind, State
from backend.reports.kinds import ReportCode
from backend.reports.models import (
    DETAIL_MODELS,
    DETAIL_RELATION,
    IssueDetail,
    Report,
    ReportPhoto,
)
from backend.wilayah.models import RT

logger = logging.getLogger(__name__)


def _detail_model_of(event: AuditEvent):
    """The detail model of the report an event is about, from its kind in the
    event's version (a death's "place" is a coded place of death, an activity's
    is free text)."""
    kind = (event.snapshot or {}).get("kind")
    return DETAIL_MODELS.get(kind) if kind else None


# A report's audit events hold its kind's detail fields: label them as those models do.
describe_fields_with(Report, *DETAIL_MODELS.values(), chooser=_detail_model_of)

CLIENT_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


@dataclass
class SaveResult:
    report: Report
    created: bool = False
    replayed: bool = False
    warnings: list[Problem] = field(default_factory=list)


# -- helpers -----------------------------------------------------------------


def _lock(report: Report | int) -> Report:
    pk = report.pk if isinstance(report, Report) else report
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("rt__kelurahan__kecamatan__kota")
        .get(pk=pk)
    )


# The report's own fields in its audit snapshots. ``state``, ``reporter`` and
# ``client_key`` never change through an edit; they let a restore recreate a
# deleted draft as it was and tell a decided report from a draft.
SNAPSHOT_FIELDS = ["kind", "state", "rt", "report_date", "reporter", "client_key", "note"]


def _snapshot(report: Report) -> dict[str, Any]:
    data = snapshot(report, SNAPSHOT_FIELDS)
    detail = report.detail()
    if detail is not None:
        data.update({k: v for k, v in snapshot(detail).items() if k != "report"})
    data["photos"] = sorted(report.photos.values_list("source_sha256", flat=True))
    return data


def _audit(
    actor, report: Report, action: str, *, changes=None, note: str = "", version=None
) -> None:
    record(
        actor=actor,
        action=action,
        instance=report,
        entity_label=report.label,
        changes=changes or {},
        snapshot=version,
        rt=report.rt,
        note=note,
    )


def _state_change(before: str, report: Report) -> dict[str, list]:
    return {"state": [before, report.state]}


def _refuse_transition(report: Report, name: str) -> DomainError:
    """Why ``name`` cannot start from the report's state, in words a user understands."""
    if report.state in DECIDED_STATES:
        return DomainError(
            ReportCode.ALREADY_DECIDED,
            _("This report was already decided (%(state)s).")
            % {"state": report.get_state_display()},
        )
    if name == "submit" and report.state == State.SUBMITTED:
        return DomainError(
            ReportCode.ALREADY_SUBMITTED, _("This report was already sent and is being reviewed.")
        )
    if name == "withdraw":
        return DomainError(
            ReportCode.NOT_SUBMITTED, _("Only a report waiting for a decision can be withdrawn.")
        )
    return DomainError(
        ReportCode.NOT_SUBMITTED,
        _("This report is not waiting for a decision (%(state)s).")
        % {"state": report.get_state_display()},
    )


def _check_permission(report: Report, name: str, actor) -> None:
    transition = workflow.TRANSITIONS[name]
    if transition.permission(report, actor):
        return
    if name in workflow.DECISIONS:
        if actor.scope.can(Cap.REPORT_DECIDE, report.rt) and report.reporter_id == actor.pk:
            raise DomainError(
                ReportCode.OWN_REPORT, _("Someone else must decide on a report you filed.")
            )
        raise DomainError.permission_denied(
            _("Only kelurahan staff or the Lurah of this kelurahan can decide on reports.")
        )
    raise DomainError.permission_denied(_("Only the Ketua RT of this RT can do this."))


def _fire(report: Report, name: str, actor, **kwargs) -> None:
    """Fire a declared transition, after the workflow's state and permission checks."""
    transition = workflow.TRANSITIONS[name]
    if report.state not in transition.source:
        raise _refuse_transition(report, name)
    _check_permission(report, name, actor)
    try:
        getattr(report, name)(**kwargs)
    except TransitionNotAllowed:
        raise _refuse_transition(report, name) from None


def _visible(actor, report: Report) -> None:
    """Refuse as "not found" a report the actor may not even read (someone else's
    draft included)."""
    if not selectors.report_visible(actor, report):
        raise DomainError.not_found(_("Report not found."), field="id")


# -- saving (phone app) --------------------------------------------------------


def _resolve_rt(actor, rt: RT | str | None) -> RT:
    scope = actor.scope
    if not scope.has(Cap.REPORT_SUBMIT):
        raise DomainError.permission_denied(_("Only a Ketua RT can file reports."))
    if rt is None:
        rt_ids = scope.rt_ids(Cap.REPORT_SUBMIT)
        if len(rt_ids) != 1:
            raise DomainError(Code.REQUIRED, _("Choose the RT."), field="rt")
        rt = RT.objects.select_related("kelurahan__kecamatan__kota").get(pk=next(iter(rt_ids)))
    elif isinstance(rt, str):
        found = RT.objects.select_related("kelurahan__kecamatan__kota").filter(code=rt.strip())
        rt = found.first()
        if rt is None:
            raise DomainError.not_found(_("RT not found."), field="rt")
    if not scope.can(Cap.REPORT_SUBMIT, rt):
        raise DomainError(Code.OUT_OF_SCOPE, _("You can only report for your own RT."), field="rt")
    if not rt.is_active:
        raise DomainError(Code.INVALID, _("This RT is no longer active."), field="rt")
    return rt


def _check_report_date(report_date: date, today: date) -> None:
    if report_date > today:
        raise DomainError(
            ReportCode.DATE_IN_FUTURE,
            _("The report date cannot be in the future."),
            field="report_date",
        )
    late = conf.get("REPORT_LATE_DAYS")
    if report_date < today - timedelta(days=late):
        raise DomainError(
            ReportCode.DATE_TOO_OLD,
            _("A report can be dated at most %(days)d days back.") % {"days": late},
            field="report_date",
        )


def _fingerprint(kind: str, rt: RT, report_date: date, note: str, values: dict) -> str:
    payload = {
        "kind": kind,
        "rt": rt.pk,
        "report_date": report_date.isoformat(),
        "note": note,
        "details": {k: to_json(v) for k, v in sorted(values.items())},
    }
    raw = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def report_save(
    *,
    actor,
    kind: str,
    client_key: str,
    details: dict | None = None,
    rt: RT | str | None = None,
    report_date: date | None = None,
    note: str = "",
    photo_uploads: Iterable = (),
    remove_photo_ids: Iterable[int] = (),
    submit: bool = True,
) -> SaveResult:
    """Create or change the report the phone app knows by ``client_key``, and submit it
    unless ``submit`` is false (a draft).

    The client key is the phone's identity for one report: the first request
    creates it; the same request again (a retry after a lost response)
    changes nothing and returns it (``replayed``); a request with other
    content changes it while its Ketua RT may still edit it (draft, revision
    requested). Drafts pass the same checks as submissions. Kinds in
    ``AUTO_APPROVE_KINDS`` (nihil) are approved on submission.
    """
    if kind not in Kind.values:
        raise DomainError(Code.INVALID, _("Unknown report kind."), field="kind")
    client_key = (client_key or "").strip()
    if not CLIENT_KEY_RE.match(client_key):
        raise DomainError(
            Code.INVALID,
            _("The client key must be 8 to 64 letters, digits or - _ . :"),
            field="client_key",
        )
    rt = _resolve_rt(actor, rt)
    today = today_wita()
    report_date = report_date or today
    note = (note or "").strip()
    uploads = list(photo_uploads or [])
    remove_photo_ids = {int(i) for i in remove_photo_ids or []}
    if (uploads or remove_photo_ids) and kind not in kinds.PHOTO_KINDS:
        raise DomainError(Code.INVALID, _("This kind of report has no photos."), field="photos")

    existing = Report.objects.filter(reporter=actor, client_key=client_key).first()
    # A nihil report saved under a new client key takes over the actor's own
    # nihil draft for that RT and day (a nihil has no content to lose), rather
    # than be refused because of a report the kelurahan never received.
    adopted = existing is None and kind == Kind.NIHIL
    if adopted:
        existing = _own_nihil_draft(actor, rt, report_date)
        adopted = existing is not None
    if existing is not None and existing.kind != kind:
        raise DomainError(
            ReportCode.CLIENT_KEY_REUSED,
            _("This client key belongs to another report."),
            field="client_key",
        )
    date_problems: list = []
    if existing is None or existing.report_date != report_date:
        try:
            _check_report_date(report_date, today)
        except DomainError as exc:
            # Reported together with the fields' problems: one round trip, not two.
            date_problems = exc.problems

    ctx = kinds.Context(actor=actor, rt=rt, report_date=report_date, today=today, report=existing)
    cleaned = kinds.clean(kind, ctx, details or {})
    if date_problems:
        raise DomainError.from_problems([*date_problems, *cleaned.problems])
    fingerprint = _fingerprint(kind, rt, report_date, note, cleaned.values)
    # A replay passes no checks again: the first request passed them, and since
    # then the report may have been approved (the resident is now deceased).
    if (
        existing is not None
        and not adopted
        and _is_replay(existing, fingerprint, uploads, remove_photo_ids, submit)
    ):
        return SaveResult(existing, replayed=True)
    if cleaned.problems:
        raise DomainError.from_problems(cleaned.problems)
    already = existing.photos.exclude(pk__in=remove_photo_ids).count() if existing else 0
    prepared = photos.prepare_photos(uploads, already=already)

    stored: list[ReportPhoto] = []
    try:
        with transaction.atomic():
            kinds.guard_subject(kind, ctx, cleaned.values)
            if existing is None:
                report, created = _create(actor, kind, rt, report_date, note, client_key, cleaned)
                if not created:
                    # A concurrent twin of this request won the insert.
                    return SaveResult(report, replayed=True)
            else:
                report = _update(
                    actor,
                    existing,
                    rt,
                    report_date,
                    note,
                    cleaned,
                    new_client_key=client_key if adopted else None,
                )
                created = False
            report.content_hash = fingerprint
            report.save(update_fields=["content_hash"])
            removed = _remove_photos(report, remove_photo_ids)
            stored = photos.store_photos(report, prepared)
            if created:
                after = _snapshot(report)
                # The whole record once, in the snapshot (field_changes() shows it).
                _audit(actor, report, Action.CREATED, version=after)
            if submit and report.state in EDITABLE_STATES:
                _submit(actor, report)
    except IntegrityError:
        photos.delete_files(stored)
        raise DomainError(Code.CONFLICT, _("The report changed meanwhile; try again.")) from None
    except BaseException:
        photos.delete_files(stored)
        raise
    # TODO(issue 3): files are stored before the transaction commits; if a caller
    # wraps this service in its own transaction that later rolls back, the files
    # stay behind unreferenced. No door does that today; a periodic sweep of
    # unreferenced files under reports/ can go in with the first background task.
    transaction.on_commit(lambda: photos.delete_files(removed))
    return SaveResult(report, created=created, warnings=cleaned.warnings)


def _is_replay(
    report: Report, fingerprint: str, uploads: list, remove_ids: set[int], submit: bool
) -> bool:
    if report.content_hash != fingerprint or remove_ids & set(
        report.photos.values_list("pk", flat=True)
    ):
        return False
    if uploads:
        known = set(report.photos.values_list("source_sha256", flat=True))
        for upload in uploads:
            upload.seek(0)
            digest = hashlib.sha256(upload.read()).hexdigest()
            upload.seek(0)
            if digest not in known:
                return False
    # Same content, now to be submitted: a real submission of a draft, unless this very
    # content was submitted before (a late retry of that request after the kelurahan
    # sent it back, or after a withdrawal: the report stays where it is; a deliberate
    # resubmission without changes goes through reportSubmit).
    if submit and report.state in EDITABLE_STATES:
        return report.submitted_hash == fingerprint
    return True


def _create(actor, kind, rt, report_date, note, client_key, cleaned) -> tuple[Report, bool]:
    report = Report(
        kind=kind,
        rt=rt,
        report_date=report_date,
        reporter=actor,
        client_key=client_key,
        note=note,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        twin = Report.objects.filter(reporter=actor, client_key=client_key).first()
        if twin is not None:
            return twin, False
        if kind == Kind.NIHIL:
            raise DomainError(
                ReportCode.NIHIL_EXISTS,
                _("This RT already reported nothing for that day."),
                field="report_date",
            ) from None
        raise
    model = DETAIL_MODELS.get(kind)
    if model is not None:
        model.objects.create(report=report, **cleaned.values)
    return report, True


def _own_nihil_draft(actor, rt: RT, report_date: date) -> Report | None:
    return (
        Report.objects.filter(
            reporter=actor, kind=Kind.NIHIL, rt=rt, report_date=report_date, state=State.DRAFT
        )
        .order_by("id")
        .first()
    )


def _update(
    actor, existing: Report, rt, report_date, note, cleaned, *, new_client_key: str | None = None
) -> Report:
    report = _lock(existing)
    if new_client_key is not None and (
        report.state != State.DRAFT or report.client_key != existing.client_key
    ):
        # Another request took over (or sent) this draft meanwhile.
        raise DomainError(Code.CONFLICT, _("The report changed meanwhile; try again."))
    if report.state not in EDITABLE_STATES:
        if report.state in DECIDED_STATES:
            raise _refuse_transition(report, "submit")
        raise DomainError(
            ReportCode.NOT_EDITABLE,
            _("This report was already sent; withdraw it first to change it."),
        )
    _check_permission(report, "submit", actor)
    before = _snapshot(report)
    report.rt, report.report_date, report.note = rt, report_date, note
    fields = ["rt", "report_date", "note", "updated_at"]
    if new_client_key is not None:
        report.client_key = new_client_key
        fields.append("client_key")
    report.save(update_fields=fields)
    model = DETAIL_MODELS.get(report.kind)
    if model is not None:
        detail, _created = model.objects.update_or_create(report=report, defaults=cleaned.values)
        setattr(report, DETAIL_RELATION[report.kind], detail)
    after = _snapshot(report)
    changes = diff(before, after)
    if changes:
        _audit(actor, report, Action.UPDATED, changes=changes, version=after)
    return report


def _remove_photos(report: Report, ids: set[int]) -> list[ReportPhoto]:
    if not ids:
        return []
    doomed = list(report.photos.filter(pk__in=ids))
    ReportPhoto.objects.filter(pk__in=[p.pk for p in doomed]).delete()
    return doomed


def _submit(actor, report: Report) -> None:
    before = report.state
    _fire(report, "submit", actor)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        if report.kind != Kind.NIHIL:
            raise
        # Another nihil report for the RT and day was sent meanwhile.
        raise DomainError(
            ReportCode.NIHIL_EXISTS,
            _("This RT already reported nothing for that day."),
            field="report_date",
        ) from None
    _audit(actor, report, Action.SUBMITTED, changes=_state_change(before, report))
    if workflow.TRANSITIONS["approve_automatically"].permission(report, actor):
        before = report.state
        report.approve_automatically()
        kinds.apply_approval(actor=actor, report=report)
        report.save()
        _audit(
            actor,
            report,
            Action.APPROVED,
            changes=_state_change(before, report),
            note="automatic",
        )


@transaction.atomic
def report_submit(*, actor, report: Report) -> Report:
    """Send a draft (or a revised report) to the kelurahan, unchanged.

    Sending a report that is already waiting changes nothing (a retried request).
    """
    current = _lock(report)
    _visible(actor, current)
    if current.state == State.SUBMITTED:
        _check_permission(current, "submit", actor)
        return current
    if current.state in EDITABLE_STATES:
        # The content must still hold (e.g. the resident is still alive).
        ctx = kinds.Context(
            actor=actor,
            rt=current.rt,
            report_date=current.report_date,
            today=today_wita(),
            report=current,
        )
        _check_permission(current, "submit", actor)
        problems = _recheck(current, ctx)
        if problems:
            raise DomainError.from_problems(problems)
    _submit(actor, current)
    return current


def _recheck(report: Report, ctx: kinds.Context) -> list[Problem]:
    detail = report.detail()
    data: dict[str, Any] = {}
    if detail is not None:
        for f in detail._meta.concrete_fields:
            if f.name == "report":
                continue
            if f.is_relation:
                data[f"{f.name}_id"] = getattr(detail, f.attname)
            else:
                data[f.name] = getattr(detail, f.attname)
    return kinds.clean(report.kind, ctx, data).problems


@transaction.atomic
def report_withdraw(*, actor, report: Report) -> Report:
    """Take back a submitted report before it is decided; it becomes a draft again."""
    current = _lock(report)
    _visible(actor, current)
    before = current.state
    _fire(current, "withdraw", actor)
    current.save()
    _audit(actor, current, Action.WITHDRAWN, changes=_state_change(before, current))
    return current


@transaction.atomic
def report_delete(*, actor, report: Report) -> None:
    """Delete a draft (with its photos); anything else is a record and stays."""
    current = _lock(report)
    _visible(actor, current)
    _check_permission(current, "submit", actor)
    if not workflow.report_can_be_deleted(current):
        if current.state in DECIDED_STATES:
            raise _refuse_transition(current, "submit")
        raise DomainError(
            ReportCode.NOT_EDITABLE, _("Only a draft can be deleted; withdraw it first.")
        )
    before = _snapshot(current)
    doomed = list(current.photos.all())
    pk, rt, label = current.pk, current.rt, current.label
    current.delete()
    record(
        actor=actor,
        action=Action.DELETED,
        entity_type="reports.report",
        entity_id=pk,
        entity_label=label,
        snapshot=before,
        rt=rt,
    )
    transaction.on_commit(lambda: photos.delete_files(doomed))


# -- decisions (kelurahan) -----------------------------------------------------


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            ReportCode.REASON_REQUIRED, _("Give the reason, for the Ketua RT."), field="reason"
        )
    return reason


def _decide(actor, report: Report | int, name: str, reason: str = "") -> Report:
    current = _lock(report)
    _visible(actor, current)
    before = current.state
    if name == "approve":
        _fire(current, name, actor, by=actor)
        kinds.apply_approval(actor=actor, report=current)
    else:
        _fire(current, name, actor, by=actor, reason=reason)
    current.save()
    _audit(
        actor,
        current,
        workflow.TRANSITIONS[name].action,
        changes={
            **_state_change(before, current),
            **({"decision_reason": ["", reason]} if reason else {}),
        },
        note=reason[:255],
    )
    return current


@transaction.atomic
def report_approve(*, actor, report: Report | int) -> Report:
    """Approve a submitted report and apply its effect (death, stay) in this transaction."""
    return _decide(actor, report, "approve")


@transaction.atomic
def report_reject(*, actor, report: Report | int, reason: str) -> Report:
    """Reject a submitted report (final); the reason is required and shown to the RT."""
    return _decide(actor, report, "reject", _clean_reason(reason))


@transaction.atomic
def report_request_revision(*, actor, report: Report | int, reason: str) -> Report:
    """Send a submitted report back to its Ketua RT to correct and submit again."""
    return _decide(actor, report, "request_revision", _clean_reason(reason))


DECISION_SERVICES = {
    "approve": report_approve,
    "reject": report_reject,
    "request_revision": report_request_revision,
}


@dataclass
class BulkResult:
    done: list[Report] = field(default_factory=list)
    failed: list[tuple[int, DomainError]] = field(default_factory=list)


def report_decide_many(
    *, actor, reports: Iterable[Report | int], decision: str, reason: str = ""
) -> BulkResult:
    """Apply one decision to many reports through the single-report service, each in its
    own transaction: one refusal does not undo the others, and says which failed."""
    service = DECISION_SERVICES[decision]
    kwargs = {"reason": reason} if decision != "approve" else {}
    result = BulkResult()
    for report in reports:
        pk = report.pk if isinstance(report, Report) else int(report)
        try:
            result.done.append(service(actor=actor, report=pk, **kwargs))
        except DomainError as exc:
            result.failed.append((pk, exc))
    return result


# -- issue follow-up -----------------------------------------------------------


@transaction.atomic
def issue_follow_up_set(*, actor, report: Report | int, status: str, note: str = "") -> Report:
    """Move an approved issue's follow-up (baru, diproses, selesai); kelurahan staff only."""
    current = _lock(report)
    _visible(actor, current)
    if current.kind != Kind.ISSUE:
        raise DomainError(Code.INVALID, _("Only an issue report has a follow-up."))
    if not actor.scope.can(Cap.REPORT_DECIDE, current.rt):
        raise DomainError.permission_denied(
            _("Only kelurahan staff or the Lurah can move the follow-up.")
        )
    if current.state != State.APPROVED:
        raise DomainError(ReportCode.NOT_SUBMITTED, _("Approve the report before following it up."))
    if status not in FollowUp.values:
        raise DomainError(Code.INVALID, _("Unknown follow-up status."), field="status")
    detail = IssueDetail.objects.select_for_update().get(report=current)
    before = snapshot(detail, ["follow_up", "follow_up_note"])
    detail.follow_up = status
    detail.follow_up_note = (note or "").strip()
    detail.follow_up_at = timezone.now()
    detail.follow_up_by = actor
    detail.save()
    changes = diff(before, snapshot(detail, ["follow_up", "follow_up_note"]))
    if changes:
        _audit(actor, current, Action.UPDATED, changes=changes, note="follow-up")
    current.issuedetail = detail
    return current


# -- restoring an earlier version (audit trail) ------------------------------------


def _restore_target(kwargs: dict[str, Any]) -> dict[str, Any]:
    event = kwargs.get("event")
    return {
        "entity_type": "reports.report",
        "entity_id": kwargs.get("report_id"),
        "rt": getattr(event, "rt_id", None),
    }


def _version_details(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A version's detail values as ``kinds.clean`` takes them (references as ``*_id``)."""
    model = DETAIL_MODELS.get(kind)
    if model is None:
        return {}
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.name == "report" or f.name not in data:
            continue
        raw = data[f.name]
        if f.is_relation:
            values[f"{f.name}_id"] = raw
        else:
            values[f.name] = f.to_python(raw) if raw is not None else None
    return values


@restore.restorer("reports.report")
@audit_refusals(_restore_target)
@transaction.atomic
def report_restore(*, actor, report_id: int, event: AuditEvent) -> Report:
    """Bring a report's content back to the version recorded in ``event``.

    Like an edit (``report_save`` on an existing report): only its Ketua RT,
    only while the report may still be changed (draft, revision requested;
    ``workflow.report_can_be_restored``), and the content passes the kind's
    checks again (the resident still alive and in the RT, the stay still
    open...). A deleted draft is recreated as a draft of its reporter. The
    workflow state is never restored: a decided report stays decided (the
    restore rule below refuses it). Photos are not part of a version: the
    report keeps the photos it has (a deleted draft's photo files are gone).
    Records a ``restored`` event.
    """
    data = restore.check_event(event, entity_type="reports.report", entity_id=report_id)
    current = Report.objects.filter(pk=report_id).first()
    if current is not None:
        current = _lock(current)
        _visible(actor, current)
    restore.check_rules(actor=actor, event=event, current=current)

    kind = data.get("kind")
    if kind not in Kind.values or (current is not None and kind != current.kind):
        raise DomainError(
            Code.INVALID, _("This version is of another kind of report."), field="event"
        )
    rt = RT.objects.select_related("kelurahan__kecamatan__kota").filter(pk=data.get("rt")).first()
    if rt is None:
        raise DomainError.not_found(_("The RT of this version no longer exists."), field="rt")
    try:
        report_date = date.fromisoformat(str(data.get("report_date")))
    except ValueError:
        raise DomainError(
            Code.INVALID, _("This version has no report date."), field="event"
        ) from None
    if current is None:
        current = Report(
            pk=report_id,
            kind=kind,
            rt=rt,
            report_date=report_date,
            reporter_id=data.get("reporter") or actor.pk,
            client_key=data.get("client_key") or f"restored-{report_id}",
            note=data.get("note") or "",
        )
        recreated = True
    else:
        recreated = False
    # Who may restore: whoever may edit it now, in the RT of the restored version too.
    _check_permission(current, "submit", actor)
    if not actor.scope.can(Cap.REPORT_SUBMIT, rt) or not rt.is_active:
        raise DomainError(Code.OUT_OF_SCOPE, _("You can only report for your own RT."), field="rt")

    today = today_wita()
    if recreated or current.report_date != report_date:
        _check_report_date(report_date, today)
    ctx = kinds.Context(
        actor=actor,
        rt=rt,
        report_date=report_date,
        today=today,
        report=None if recreated else current,
    )
    cleaned = kinds.clean(kind, ctx, _version_details(kind, data))
    if cleaned.problems:
        raise DomainError.from_problems(cleaned.problems)

    before = {} if recreated else _snapshot(current)
    note = (data.get("note") or "").strip()
    if recreated:
        try:
            with transaction.atomic():
                current.save(force_insert=True)
        except IntegrityError:
            raise DomainError(
                Code.CONFLICT,
                _("The report could not be restored: its client key is in use again."),
                field="client_key",
            ) from None
    else:
        current.rt, current.report_date, current.note = rt, report_date, note
        current.save(update_fields=["rt", "report_date", "note", "updated_at"])
    model = DETAIL_MODELS.get(kind)
    if model is not None:
        detail, _created = model.objects.update_or_create(report=current, defaults=cleaned.values)
        setattr(current, DETAIL_RELATION[kind], detail)
    current.content_hash = _fingerprint(kind, rt, report_date, note, cleaned.values)
    current.save(update_fields=["content_hash"])
    after = _snapshot(current)
    changes = diff(before, after)
    if not recreated and not changes:
        raise DomainError(
            "nothing_to_restore", _("This version is the same as the current data."), field="event"
        )
    _audit(
        actor,
        current,
        Action.RESTORED,
        changes=changes,
        version=after,
        note=f"restored from audit event #{event.pk} (seq {event.seq})",
    )
    return current


@restore.rule("reports.report")
def decided_report_stays_decided(*, actor, event: AuditEvent, current: Report | None) -> None:
    """Refuse restoring a report that is not open to its Ketua RT's edits, and
    refuse un-deleting a report that was ever decided.

    A decision is final (``workflow.report_can_be_restored``): an approved or
    rejected report is a record, and a submitted one is what the kelurahan is
    reviewing. A decided report cannot be deleted through any door, but its
    row can vanish outside them (``seed_demo --reset``); its trail says it was
    decided, so it is never brought back as a draft.
    """
    if current is not None:
        if workflow.report_can_be_restored(current):
            return
        if current.state in DECIDED_STATES:
            raise DomainError(
                ReportCode.ALREADY_DECIDED,
                _("A decided report cannot be restored (%(state)s).")
                % {"state": current.get_state_display()},
                field="event",
            )
        raise DomainError(
            ReportCode.NOT_EDITABLE,
            _("This report was already sent; withdraw it first to restore an earlier version."),
            field="event",
        )
    decided = AuditEvent.objects.filter(
        entity_type="reports.report",
        entity_id=event.entity_id,
        action__in=[Action.APPROVED, Action.REJECTED],
    ).exists()
    if decided or (event.snapshot or {}).get("state") in DECIDED_STATES:
        raise DomainError(
            ReportCode.ALREADY_DECIDED,
            _("A decided report cannot be restored."),
            field="event",
        )
