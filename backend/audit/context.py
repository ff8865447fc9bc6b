"""Where a change comes from: the door, the request or import job, the client address.

Doors set it (the middleware for web requests, ``audit_context`` in
commands, admin actions and background jobs); services read it when they
write their audit event, so no service needs a ``request`` argument.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace


class Door:
    ADMIN = "admin"
    ADMIN_ACTION = "admin_action"
    GRAPHQL = "graphql"
    IMPORT = "import"
    COMMAND = "command"
    SYSTEM = "system"


@dataclass(frozen=True)
class AuditContext:
    door: str = Door.SYSTEM
    request_id: str = ""
    client_ip: str | None = None
    job_id: str = ""


# AuditContext is frozen, so one shared default instance is safe.
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=AuditContext())  # noqa: B039


def current() -> AuditContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def audit_context(**changes) -> Iterator[AuditContext]:
    """Run a block with some context fields replaced (door, request_id, client_ip, job_id)."""
    ctx = replace(_current.get(), **changes)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def command_context(**changes) -> contextlib.AbstractContextManager[AuditContext]:
    """The context for a management command: door "command" and a fresh run id."""
    return audit_context(door=Door.COMMAND, request_id=new_request_id(), **changes)
