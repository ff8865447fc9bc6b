"""Recording refused attempts that matter, outside the transaction that rolled back.

The rule: a failed change leaves no audit record claiming it happened (the
service raises ``DomainError`` inside its ``transaction.atomic()`` and
everything it wrote, its audit event included, rolls back). A refused
attempt that matters (permission refused, a region outside the actor's
scope, a failed login) is recorded as such, *after* that rollback.

How the doors get it:

- Services: decorate the service with ``@audit_refusals(...)`` **above**
  ``@transaction.atomic``. When the service raises a ``DomainError`` whose
  code is in ``REFUSAL_CODES``, the decorator runs after the service's own
  atomic block has rolled back and records a ``permission_denied`` event,
  then re-raises. Every door (admin, admin action, GraphQL, import, command)
  gets it without doing anything.
- Doors that refuse by themselves (an admin view that is not allowed, a
  GraphQL permission extension) call ``record_refusal(actor=..., error=...)``
  or wrap the work in ``with refusals_recorded(actor=...):``.
- Logins are recorded by the signal receivers in ``backend.audit.signals``.

A door that runs a service inside its own transaction must not roll that
transaction back just because the service refused (Django's admin change
form commits after showing the form error, which is what we want); if it
does, the refusal record rolls back with it.

Validation errors (``invalid``, ``required``, ``duplicate``...), ``conflict``
(a lost race) and ``not_found`` are not refusals: they leave nothing.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from backend.audit.models import Action, AuditEvent
from backend.audit.services import entity_type_of, label_of, record
from backend.common.errors import Code, DomainError

REFUSAL_CODES = frozenset({Code.PERMISSION_DENIED, Code.OUT_OF_SCOPE})


def is_refusal(error: BaseException) -> bool:
    return isinstance(error, DomainError) and error.code in REFUSAL_CODES


def record_refusal(
    *,
    actor,
    error: DomainError | None = None,
    operation: str = "",
    instance=None,
    entity_type: str = "",
    entity_id: Any = "",
    rt=None,
    kelurahan=None,
    kecamatan=None,
) -> AuditEvent:
    """Record a refused attempt (``permission_denied``) by ``actor``.

    ``operation`` names what was attempted (the service, e.g.
    ``population.resident_update``); the event's region is the region of the
    target when known, so the Lurah of that region sees who tried.
    """
    changes: dict[str, Any] = {}
    if operation:
        changes["operation"] = operation
    if error is not None:
        changes["code"] = error.code
        changes["message"] = str(error.message)
        if error.field:
            changes["field"] = error.field
    if instance is not None and getattr(instance, "pk", None) is not None:
        entity_type = entity_type or entity_type_of(instance)
        entity_id = entity_id or instance.pk
        if rt is None and hasattr(instance, "rt_id"):
            rt = instance.rt_id
    return record(
        actor=actor,
        action=Action.PERMISSION_DENIED,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_label=label_of(instance) if instance is not None and instance.pk else "",
        changes=changes,
        rt=rt,
        kelurahan=kelurahan,
        kecamatan=kecamatan,
    )


@contextlib.contextmanager
def refusals_recorded(*, actor, operation: str = "", **target: Any) -> Iterator[None]:
    """Record a refusal raised inside the block (after it unwound), then re-raise it."""
    try:
        yield
    except DomainError as exc:
        if is_refusal(exc):
            record_refusal(actor=actor, error=exc, operation=operation, **target)
        raise


def audit_refusals(
    target: Callable[[dict[str, Any]], Any] | str | None = None,
    *,
    operation: str = "",
) -> Callable:
    """Decorate a service so its refusals are recorded (put it above ``@transaction.atomic``).

    ``target`` finds what the attempt was aimed at, from the service's
    keyword arguments: the name of a keyword holding a model instance (its
    RT gives the region), or a function of the keyword dict returning an
    instance or a dict of ``record_refusal`` arguments.
    """

    def decorate(service: Callable) -> Callable:
        name = operation or f"{service.__module__.rsplit('.', 2)[-2]}.{service.__name__}"

        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            try:
                return service(*args, **kwargs)
            except DomainError as exc:
                if is_refusal(exc):
                    record_refusal(
                        actor=kwargs.get("actor"),
                        error=exc,
                        operation=name,
                        **_target_arguments(target, kwargs),
                    )
                raise

        return wrapper

    return decorate


def _target_arguments(target, kwargs: dict[str, Any]) -> dict[str, Any]:
    if target is None:
        return {}
    found = kwargs.get(target) if isinstance(target, str) else target(kwargs)
    if found is None:
        return {}
    if isinstance(found, dict):
        return found
    return {"instance": found}
