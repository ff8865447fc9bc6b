"""Logged in, login failed and locked out, on the admin login and the API token login."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory

from backend.accounts import services as accounts
from backend.audit.context import Door, audit_context
from backend.audit.models import Action
from backend.common.errors import DomainError
from tests.conftest import PASSWORD

LOGIN = "/admin/login/"


def _actions(events) -> list[tuple]:
    return [(e.action, e.door, e.actor_username, e.entity_type) for e in events]


def test_admin_login_is_recorded_with_the_users_region(client, actors, regions, log):
    response = client.post(LOGIN, {"username": "lurah.karangrejo", "password": PASSWORD})

    assert response.status_code == 302
    (event,) = log.new()
    assert _actions([event]) == [
        (Action.LOGGED_IN, Door.ADMIN, "lurah.karangrejo", "accounts.user")
    ]
    assert event.actor_id == actors.lurah.pk
    assert event.client_ip == "127.0.0.1" and event.request_id
    assert event.kelurahan_id == regions.karang_rejo.pk


def test_failed_admin_login_is_recorded_against_the_targeted_account(client, actors, log):
    client.post(LOGIN, {"username": "rt001", "password": "salah"})

    (event,) = log.new()
    assert _actions([event]) == [(Action.LOGIN_FAILED, Door.ADMIN, "rt001", "accounts.user")]
    assert event.actor_id is None  # whoever typed it is unknown
    assert event.entity_id == str(actors.ketua_rt_1.pk)
    assert event.rt_id == actors.ketua_rt_1.role_assignments.get().rt_id


def test_failed_login_for_an_unknown_username_is_recorded_without_a_region(client, db, log):
    client.post(LOGIN, {"username": "tidak.ada", "password": "salah"})

    (event,) = log.new()
    assert _actions([event]) == [(Action.LOGIN_FAILED, Door.ADMIN, "tidak.ada", "")]
    assert (event.rt_id, event.kelurahan_id, event.kecamatan_id) == (None, None, None)


def test_repeated_failures_lock_the_account_and_each_attempt_is_one_event(client, actors, log):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit + 1):
        client.post(LOGIN, {"username": "rt002", "password": "salah"})

    actions = [e.action for e in log.new()]
    assert actions == [Action.LOGIN_FAILED] * (limit - 1) + [Action.LOCKED_OUT] * 2


def _token_request():
    request = RequestFactory().post("/graphql/", REMOTE_ADDR="10.20.30.40")
    request.request_id = "req-token"
    return request


def test_failed_token_login_is_recorded_even_though_the_request_fails(actors, log):
    with (
        audit_context(door=Door.GRAPHQL, request_id="req-token", client_ip="10.20.30.40"),
        pytest.raises(DomainError) as caught,
    ):
        accounts.token_login(
            request=_token_request(), username="rt001", password="salah", device_name="HP"
        )

    assert caught.value.code == "invalid_credentials"
    (event,) = log.new()
    assert _actions([event]) == [(Action.LOGIN_FAILED, Door.GRAPHQL, "rt001", "accounts.user")]
    assert (event.request_id, event.client_ip) == ("req-token", "10.20.30.40")


def test_token_login_lockout_is_recorded(actors, log):
    with audit_context(door=Door.GRAPHQL):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            with pytest.raises(DomainError):
                accounts.token_login(
                    request=_token_request(), username="rt001", password="x", device_name="HP"
                )
    assert [e.action for e in log.new()][-2:] == [Action.LOCKED_OUT, Action.LOCKED_OUT]


def test_force_login_in_tests_is_not_a_recorded_login(client, actors, log):
    client.force_login(actors.lurah)
    assert log.new() == []
