"""Restoring an earlier version of a record from its audit trail.

A domain makes its records restorable by registering the service that
restores them; the service re-validates like an update, writes a
``restored`` event, and can recreate a deleted record::

    @restore.restorer("population.resident")
    def resident_restore(*, actor, resident_id, event): ...

Workflow rules that forbid a restore are declared apart, by whichever domain
owns the rule, so the rule holds on every door::

    @restore.rule("reports.report")
    def decided_report_cannot_be_restored(*, actor, event, current):
        if current is None or current.status in DECIDED:
            raise DomainError("restore_forbidden", _("A decided report cannot be restored."))

A rule gets the event being restored and the current record (``None`` when
it was deleted) and raises ``DomainError`` to refuse. Restore services call
``check_rules`` inside their transaction, after locking the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from backend.audit.models import Action, AuditEvent
from backend.common.errors import Code, DomainError

# Actions whose snapshot is a complete version of the record.
RESTORABLE_ACTIONS = frozenset(
    {Action.CREATED, Action.UPDATED, Action.DELETED, Action.RESTORED, Action.IMPORTED}
)

_restorers: dict[str, Callable[..., Any]] = {}
_rules: dict[str, list[Callable[..., None]]] = {}


def restorer(entity_type: str) -> Callable:
    """Register the service that restores ``entity_type`` records (a decorator)."""

    def register(service: Callable) -> Callable:
        _restorers[entity_type] = service
        return service

    return register


def rule(entity_type: str) -> Callable:
    """Register a rule that may refuse restoring ``entity_type`` records (a decorator)."""

    def register(check: Callable[..., None]) -> Callable[..., None]:
        _rules.setdefault(entity_type, []).append(check)
        return check

    return register


def check_rules(*, actor, event: AuditEvent, current) -> None:
    for check in _rules.get(event.entity_type, ()):
        check(actor=actor, event=event, current=current)


def is_restorable(event: AuditEvent) -> bool:
    """Whether the event holds a version that a registered service can restore."""
    return (
        event.entity_type in _restorers
        and event.action in RESTORABLE_ACTIONS
        and bool(event.snapshot)
        and bool(event.entity_id)
    )


def check_event(event: AuditEvent, *, entity_type: str, entity_id: Any) -> dict[str, Any]:
    """The event's snapshot, after checking it is a version of that very record."""
    if (
        event.entity_type != entity_type
        or event.entity_id != str(entity_id)
        or event.action not in RESTORABLE_ACTIONS
        or not event.snapshot
    ):
        raise DomainError(
            Code.INVALID,
            _("This history entry holds no version of this record that can be restored."),
            field="event",
        )
    return dict(event.snapshot)


def restore(*, actor, event: AuditEvent):
    """Restore the version held by ``event`` through its domain's service."""
    service = _restorers.get(event.entity_type)
    if service is None or not is_restorable(event):
        raise DomainError(
            Code.INVALID,
            _("This history entry holds no version that can be restored."),
            field="event",
        )
    return service(actor=actor, event=event, **{_id_argument(event): _entity_pk(event)})


def _id_argument(event: AuditEvent) -> str:
    return f"{event.entity_type.rsplit('.', 1)[-1]}_id"


def _entity_pk(event: AuditEvent) -> Any:
    return int(event.entity_id) if event.entity_id.isdigit() else event.entity_id
