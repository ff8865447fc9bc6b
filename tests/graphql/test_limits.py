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
    query = "{ " + " ".join(f"a{i}: me {{ username }}" for i in range(300)) + " }"
    error = _refused(client, query)
    assert "alias" in error["message"].lower()


def test_nesting_past_the_depth_limit_is_refused(client):
    query = """
    { kecamatanList { kelurahan { rts { households { residents {
      household { rt { kelurahan { kecamatan { name } } } } } } } } } }
    """
    error = _refused(client, query)
    assert "depth" in error["message"].lower()


def test_nesting_past_the_depth_limit_through_fragments_is_refused(client):
    query = """
    fragment Deep on RT { households { ...Deeper } }
    fragment Deeper on Household { residents { household { ...Up } } }
    fragment Up on HouseholdRef { rt { kelurahan { kecamatan { name } } } }
    { kecamatanList { kelurahan { rts { ...Deep } } } }
    """
    error = _refused(client, query)
    assert "depth" in error["message"].lower()


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
