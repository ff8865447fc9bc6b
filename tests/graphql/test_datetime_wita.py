"""GraphQL DateTime values are written in WITA (+08:00), the same instant as stored."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.accounts.models import ApiToken
from graphql_schema.scalars import serialize_datetime
from tests.conftest import PASSWORD

TOKEN_CREATE = """
mutation($u: String!, $p: String!) {
  tokenCreate(username: $u, password: $p, deviceName: "HP Uji") { token expiresAt errors { code } }
}
"""


@pytest.mark.django_db
def test_a_datetime_field_comes_back_with_the_wita_offset(gql, actors):
    data = gql().execute(TOKEN_CREATE, {"u": actors.ketua_rt_1.username, "p": PASSWORD})
    expires_at = data["data"]["tokenCreate"]["expiresAt"]

    assert expires_at.endswith("+08:00")
    token = ApiToken.objects.get(user=actors.ketua_rt_1)
    assert dt.datetime.fromisoformat(expires_at) == token.expires_at


def test_a_utc_instant_is_written_as_the_same_instant_in_wita():
    utc = dt.datetime(2026, 12, 4, 11, 5, tzinfo=dt.UTC)
    assert serialize_datetime(utc) == "2026-12-04T19:05:00+08:00"


def test_a_naive_datetime_is_taken_as_wita_wall_time():
    assert serialize_datetime(dt.datetime(2026, 12, 4, 19, 5)) == "2026-12-04T19:05:00+08:00"
