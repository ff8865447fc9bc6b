"""Scoped reads of the audit trail.

Events carry their region denormalised (RT, kelurahan, kecamatan at the time
of the event), so scoping needs no join to rows that may since have moved or
been deleted. Who holds ``Cap.AUDIT_VIEW`` where comes from the user's
``Scope``: a Lurah reads their kelurahan's events, a Camat their
kecamatan's, the city administrator the whole city plus the events that have
no region (logins of unknown usernames, accounts without a role). A Ketua RT
holds no ``AUDIT_VIEW`` and reads nothing.

Some events are private whatever their region: a domain registers a rule
with ``@private_events`` (reports: the events of a report are its
reporter's alone while the report is a draft, see ``backend.reports.selectors``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from backend.accounts.roles import Cap
from backend.audit.models import AuditEvent
from backend.common.errors import DomainError


def audit_scope_q(actor) -> Q | None:
    """The events ``actor`` may read as a ``Q`` (``None``: all of them)."""
    scope = actor.scope
    if scope.is_superuser:
        return None
    regions = scope.grants.get(Cap.AUDIT_VIEW)
    if not regions:
        return Q(pk__in=[])
    parts = []
    if regions.rt:
        parts.append(Q(rt_id__in=sorted(regions.rt)))
    if regions.kelurahan:
        parts.append(Q(kelurahan_id__in=sorted(regions.kelurahan)))
    if regions.kecamatan:
        parts.append(Q(kecamatan_id__in=sorted(regions.kecamatan)))
    if regions.kota:
        parts.append(Q(kecamatan__kota_id__in=sorted(regions.kota)))
        parts.append(Q(kecamatan__isnull=True, kelurahan__isnull=True, rt__isnull=True))
    return reduce(or_, parts)


# Domains declare events private to some users (a report's events while it is a draft):
# functions ``(actor) -> Q | None`` giving the events ``actor`` may not read, whatever
# their region. Register with ``@private_events``.
_PRIVATE_EVENTS: list[Callable[[Any], Q | None]] = []


def private_events(func: Callable[[Any], Q | None]) -> Callable[[Any], Q | None]:
    """Register ``func(actor)``: the events hidden from ``actor`` (None: none)."""
    _PRIVATE_EVENTS.append(func)
    return func


def private_q(actor) -> Q | None:
    """The events hidden from ``actor`` by a domain's privacy rule (None: none)."""
    parts = [q for q in (func(actor) for func in _PRIVATE_EVENTS) if q is not None]
    return reduce(or_, parts) if parts else None


def audit_list(*, actor) -> QuerySet[AuditEvent]:
    """Events the actor may read, newest first (by the time they record; the chain's
    order for events of the same moment)."""
    q = audit_scope_q(actor)
    queryset = AuditEvent.objects.order_by("-occurred_at", "-seq")
    if q is not None:
        queryset = queryset.filter(q)
    hidden = private_q(actor)
    return queryset if hidden is None else queryset.exclude(hidden)


def audit_history(*, actor, entity_type: str, entity_id: Any) -> QuerySet[AuditEvent]:
    """One record's events the actor may read, newest first (also after it was deleted)."""
    return audit_list(actor=actor).filter(entity_type=entity_type, entity_id=str(entity_id))


def audit_get(*, actor, pk) -> AuditEvent:
    try:
        return audit_list(actor=actor).get(pk=pk)
    except (AuditEvent.DoesNotExist, ValueError, TypeError):
        raise DomainError.not_found(field="event") from None
