"""Helpers for the audit tests: the events written by a block, per door."""

from __future__ import annotations

import pytest

from backend.audit.context import Door, audit_context
from backend.audit.models import AuditEvent

# The doors that exist now, as the context each one sets.
DOORS = {
    Door.ADMIN: {"door": Door.ADMIN, "request_id": "req-admin-1", "client_ip": "10.1.2.3"},
    Door.ADMIN_ACTION: {
        "door": Door.ADMIN_ACTION,
        "request_id": "req-action-1",
        "client_ip": "10.1.2.4",
    },
    Door.GRAPHQL: {"door": Door.GRAPHQL, "request_id": "req-gql-1", "client_ip": "2001:db8::7"},
    Door.COMMAND: {"door": Door.COMMAND, "request_id": "run-cmd-1", "client_ip": None},
    # Door.IMPORT is tested through a real import job (its job id on every row):
    # test_records_by_door.test_a_bulk_import_records_one_event_per_row_under_its_job.
}


class EventLog:
    """The events written after a mark, oldest first."""

    def __init__(self) -> None:
        self.mark()

    def mark(self) -> None:
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        self.since = last or 0

    def new(self) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(seq__gt=self.since).order_by("seq"))


@pytest.fixture
def log(db) -> EventLog:
    return EventLog()


@pytest.fixture(params=list(DOORS))
def door(request):
    """Run the test once per door, inside that door's audit context."""
    with audit_context(**DOORS[request.param]):
        yield DOORS[request.param]
