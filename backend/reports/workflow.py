"""The approval workflow, declared once.

::

    draft --submit--> submitted --approve--> approved
      ^                 |  |  '---reject---> rejected         (reason required)
      '----withdraw-----'  '--request_revision--> revision_requested
                                                   |  '--reject--> rejected
                            submitted <--submit----'

``TRANSITIONS`` is the table: for each transition the states it may start
from, the state it ends in, who may fire it and the audit action it writes.
The model's django-fsm-2 transition methods are built from this table
(``Report.submit`` and friends), so a transition not declared here cannot
happen: django-fsm refuses it, and the state field is protected against
direct assignment. Services lock the report row, check the transition here,
fire it, apply its effect and write the audit event in one transaction.

Why django-fsm-2 and not a hand-written table alone: it guards the field at
the model level (``protected=True``), refuses undeclared moves with
``TransitionNotAllowed`` whatever the door, and its
``ConcurrentTransitionMixin`` makes a save from a stale state fail. The
table keeps the "who" and the audit action next to each move, where a
reader looks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.reports import conf
from backend.reports.choices import DECIDED_STATES, EDITABLE_STATES, State

if TYPE_CHECKING:
    from backend.reports.models import Report


def may_submit(report: Report, user) -> bool:
    """Ketua RT of the report's RT (submit and withdraw only for their own RT)."""
    return report.rt_id in user.scope.rt_ids(Cap.REPORT_SUBMIT)


def may_decide(report: Report, user) -> bool:
    """Kelurahan staff or Lurah of the report's kelurahan (or the city administrator);
    never the person who filed the report."""
    return report.rt_id in user.scope.rt_ids(Cap.REPORT_DECIDE) and report.reporter_id != user.pk


def may_auto_approve(report: Report, user) -> bool:
    """Kinds configured to need no review (``AUTO_APPROVE_KINDS``), fired by the submitter."""
    return report.kind in conf.get("AUTO_APPROVE_KINDS") and may_submit(report, user)


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    permission: Any
    action: str
    label: Any
    needs_reason: bool = False

    def fsm(self) -> dict[str, Any]:
        return {"source": list(self.source), "target": self.target, "permission": self.permission}


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            (State.DRAFT, State.REVISION_REQUESTED),
            State.SUBMITTED,
            may_submit,
            Action.SUBMITTED,
            _("submit"),
        ),
        Transition(
            "withdraw",
            (State.SUBMITTED,),
            State.DRAFT,
            may_submit,
            Action.WITHDRAWN,
            _("withdraw"),
        ),
        Transition(
            "approve",
            (State.SUBMITTED,),
            State.APPROVED,
            may_decide,
            Action.APPROVED,
            _("approve"),
        ),
        Transition(
            "approve_automatically",
            (State.SUBMITTED,),
            State.APPROVED,
            may_auto_approve,
            Action.APPROVED,
            _("approve automatically"),
        ),
        Transition(
            "reject",
            (State.SUBMITTED, State.REVISION_REQUESTED),
            State.REJECTED,
            may_decide,
            Action.REJECTED,
            _("reject"),
            needs_reason=True,
        ),
        Transition(
            "request_revision",
            (State.SUBMITTED,),
            State.REVISION_REQUESTED,
            may_decide,
            Action.REVISION_REQUESTED,
            _("request revision"),
            needs_reason=True,
        ),
    )
}
DECISIONS = ("approve", "reject", "request_revision")


def is_decided(report: Report) -> bool:
    return report.state in DECIDED_STATES


def is_editable(report: Report) -> bool:
    return report.state in EDITABLE_STATES


def report_can_be_restored(report: Report) -> bool:
    """Whether an earlier version of this report's content may be restored (audit restore).

    Only while its Ketua RT may still change it (draft, revision requested).
    Once submitted the kelurahan is reviewing that exact content, and once
    decided (approved or rejected) a report is a record: never edited, never
    deleted, never restored.
    """
    return is_editable(report)


def report_can_be_deleted(report: Report) -> bool:
    """Only a draft may be deleted (by its RT); the audit trail keeps its history."""
    return report.state == State.DRAFT


def available(report: Report, user) -> list[Transition]:
    """The transitions this user may fire on this report now (for buttons)."""
    return [
        t
        for t in TRANSITIONS.values()
        if report.state in t.source
        and t.name != "approve_automatically"
        and t.permission(report, user)
    ]
