"""The door, request id and client address each web request gives its audit events."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from backend.audit.context import Door, command_context, current
from backend.audit.middleware import AuditContextMiddleware, door_of

rf = RequestFactory()


@pytest.mark.parametrize(
    ("request_", "door"),
    [
        (rf.get("/admin/population/resident/"), Door.ADMIN),
        (rf.post("/admin/population/resident/1/change/", {"name": "x"}), Door.ADMIN),
        (
            rf.post(
                "/admin/population/resident/",
                "action=delete_selected&_selected_action=1&_selected_action=2",
                content_type="application/x-www-form-urlencoded",
            ),
            Door.ADMIN_ACTION,
        ),
        (rf.post("/graphql/", data="{}", content_type="application/json"), Door.GRAPHQL),
    ],
    ids=["admin page", "admin form", "admin action", "graphql"],
)
def test_each_request_gets_its_door(request_, door):
    assert door_of(request_) == door


def _seen_by_view(request):
    seen = {}

    def view(req):
        seen.update(vars(current()))
        return HttpResponse("ok")

    response = AuditContextMiddleware(view)(request)
    return seen, response


def test_the_middleware_sets_request_id_and_client_address_for_the_request_only():
    request = rf.get("/admin/", REMOTE_ADDR="10.0.0.5", HTTP_X_REQUEST_ID="abc-123")

    seen, response = _seen_by_view(request)

    assert (seen["door"], seen["request_id"], seen["client_ip"]) == ("admin", "abc-123", "10.0.0.5")
    assert response["X-Request-ID"] == "abc-123"
    assert current().door == Door.SYSTEM  # reset after the request


def test_a_request_id_that_is_not_a_plain_token_is_replaced():
    seen, _response = _seen_by_view(
        rf.get("/admin/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    )
    assert "<" not in seen["request_id"] and len(seen["request_id"]) == 32


def test_commands_run_under_the_command_door_with_a_run_id():
    with command_context() as ctx:
        assert (current().door, len(current().request_id)) == (Door.COMMAND, 32)
    assert ctx.door == Door.COMMAND and current().door == Door.SYSTEM
