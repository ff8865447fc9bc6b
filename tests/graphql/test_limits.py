"""Hostile queries are refused before they touch the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

DATA_TABLES = ("population_", "wilayah_", "accounts_roleassignment")


def _refused(client, query, variables=None):
    with CaptureQueriesContext(connection) as ctx:
        result = client.execute(query, variables)
    touched = [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in DATA_TABLES)]
    assert touched == []
    assert result.get("data") is None
    return result["errors"][0]


@pytest.fixture
def client(gql, actors, population):
    return gql(actors.admin_kota)


def test_graph_has_no_cycles_so_a_query_cannot_multiply_its_result(client):
    """Back edges (an RT's kelurahan) return list-free types: going down again is invalid."""
    error = _refused(client, "{ rts { kelurahan { rts { code } } } }")
    assert "rts" in error["message"]


def test_hundreds_of_aliases_are_refused(client):
    query = "{ " + " ".join(f"a{i}: me {{ username }}" for i in range(90)) + " }"
    error = _refused(client, query)
    assert error["extensions"]["code"] == "too_many_aliases"
    assert error["message"] == "Terlalu banyak alias: 90 (maksimum 15)."


def test_nesting_past_the_depth_limit_is_refused(client):
    query = """
    { kecamatanList { kelurahan { rts { households { residents {
      household { rt { kelurahan { kecamatan { name } } } } } } } } } }
    """
    error = _refused(client, query)
    assert error["extensions"]["code"] == "query_too_deep"
    assert "terlalu dalam" in error["message"]


def test_nesting_past_the_depth_limit_through_fragments_is_refused(client):
    query = """
    fragment Deep on RT { households { ...Deeper } }
    fragment Deeper on Household { residents { household { ...Up } } }
    fragment Up on HouseholdRef { rt { kelurahan { kecamatan { name } } } }
    { kecamatanList { kelurahan { rts { ...Deep } } } }
    """
    error = _refused(client, query)
    assert error["extensions"]["code"] == "query_too_deep"
    assert "terlalu dalam" in error["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ residents(pagination: {limit: 100000}) { results { id } } }", None),
        (
            "query($p: OffsetPaginationInput) { residents(pagination: $p) { results { id } } }",
            {"p": {"offset": 0, "limit": 501}},
        ),
        (
            "query($n: Int) { rts { households(pagination: {limit: $n}) { id } } }",
            {"n": 10000},
        ),
        (
            "fragment F on RT { residents(pagination: {limit: 9999}) { id } } { rts { ...F } }",
            None,
        ),
        ("query($n: Int!) { compliance { rts(limit: $n) { rtCode } } }", {"n": 100000}),
    ],
)
def test_page_size_over_the_maximum_is_refused(client, query, variables):
    error = _refused(client, query, variables)
    assert error["extensions"]["code"] == "page_size_too_large"
    assert "500" in error["message"]


def test_page_size_at_the_maximum_is_served(client):
    result = client.execute("{ residents(pagination: {limit: 500}) { totalCount } }")
    assert result["data"]["residents"]["totalCount"] == 12


def test_lists_without_pagination_return_the_default_page(gql, actors, regions):
    data = gql(actors.admin_kota).execute("{ rts { code } }")["data"]
    assert len(data["rts"]) == 100  # the default page; 227 RTs are loaded in these tests


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ residents(pagination: {offset: -5}) { totalCount } }", None, "invalid_pagination"),
        ("{ rts(pagination: {limit: -1}) { code } }", None, "invalid_pagination"),
        ("{ rts(pagination: {limit: 100000.0}) { code } }", None, "page_size_too_large"),
        (
            "query($l: Int = 100000) { rts(pagination: {limit: $l}) { code } }",
            None,
            "page_size_too_large",
        ),
        ("{ compliance { rts(offset: -1) { rtCode } } }", None, "invalid_pagination"),
    ],
)
def test_negative_fractional_or_defaulted_page_sizes_are_refused(client, query, variables, code):
    error = _refused(client, query, variables)
    assert error["extensions"]["code"] == code


def test_a_request_resolving_too_many_fields_is_stopped(client, settings):
    settings.LAPOR_RT = {**settings.LAPOR_RT, "GRAPHQL_MAX_FIELDS": 20}
    result = client.execute("{ residents(pagination: {limit: 500}) { results { id name age } } }")
    assert result["errors"][0]["extensions"]["code"] == "query_too_large"
    assert "terlalu banyak data" in result["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b'"hello"', "application/json", "invalid_json"),
        (b"123", "application/json", "invalid_json"),
        (b"null", "application/json", "invalid_json"),
        (b"\xff\xfe{", "application/json", "invalid_json"),
        (
            b'{"query": "{ me { username } }", "variables": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            "application/json",
            "invalid_json",
        ),
        (b'[{"query": "{ me { username } }"}]', "application/json", "batching_not_supported"),
        (b"query", "text/plain", "unsupported_content_type"),
        (
            b'{"query": "mutation($n: String!) { x(n: $n) }", "variables": {"n": "a\\u0000b"}}',
            "application/json",
            "nul_character",
        ),
        (b'{"query": "{ me { username } }", "op\\u0000": 1}', "application/json", "nul_character"),
    ],
)
def test_requests_that_are_not_graphql_get_a_400_in_indonesian(actors, body, content_type, code):
    from django.test import Client

    http = Client()
    http.force_login(actors.lurah)
    response = http.post("/graphql/", body, content_type=content_type)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert error["message"] and "request" not in error["message"].lower()  # Indonesian


def test_a_nul_character_in_a_phone_login_is_refused_before_any_database_write(actors):
    """PostgreSQL text cannot hold NUL: one clear 400, not a database error mid-service."""
    from django.test import Client

    body = {
        "query": 'mutation($u: String!) { tokenCreate(username: $u, password: "x", '
        'deviceName: "HP") { token } }',
        "variables": {"u": "ketua\x00rt001"},
    }
    response = Client().post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "nul_character"
    assert "NUL" in error["message"] and "karakter" in error["message"]
