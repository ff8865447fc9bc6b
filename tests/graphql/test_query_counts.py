"""Nested reads cost a fixed number of SQL statements, whatever the size of the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_household

FIVE_LEVELS = """
query {
  kecamatanList {
    code
    kelurahan {
      code
      rts { code households { noKk residents { name nik sex age } } }
    }
  }
}
"""
# The same tree with a filtered list (living residents only) and computed fields
# (counts) at several levels.
FIVE_LEVELS_FILTERED_AND_COMPUTED = """
query {
  kecamatanList {
    code populationStats { living }
    kelurahan {
      code populationStats { living households byAgeBand { band total } }
      rts {
        code label populationStats { living male female }
        households {
          noKk livingMemberCount head { name }
          residents(filters: {status: ALIVE}) { name age }
        }
      }
    }
  }
}
"""
PAGINATED_RESIDENTS = """
query {
  kelurahan(code: "64.71.04.1003") {
    rts(pagination: {limit: 3}) {
      households { id residents(pagination: {offset: 1, limit: 2}) { name } }
    }
  }
}
"""


def _count(client, query):
    with CaptureQueriesContext(connection) as ctx:
        result = client.execute(query)
    assert "errors" not in result, result
    return len(ctx.captured_queries), result


@pytest.fixture
def lurah_client(gql, actors):
    client = gql(actors.lurah)
    client.execute("{ me { username } }")  # session warm-up, not counted below
    return client


# Statements: session, user and role assignments (3, per request), then one per
# level (kecamatan, kelurahan, RT, household, resident); the computed variant adds
# one for the household head. Counts and aggregates ride on the level's own statement.
@pytest.mark.parametrize(
    ("query", "expected"),
    [(FIVE_LEVELS, 8), (FIVE_LEVELS_FILTERED_AND_COMPUTED, 9)],
)
def test_five_level_query_costs_the_same_for_2_and_for_87_rts(
    lurah_client, regions, query, expected
):
    kr = regions.karang_rejo
    for number in (1, 2):
        make_household(regions.rt(kr, number), members=3)
    small, _ = _count(lurah_client, query)
    for number in range(3, 88):
        make_household(regions.rt(kr, number), members=4)
    large, result = _count(lurah_client, query)
    rts = result["data"]["kecamatanList"][0]["kelurahan"][0]["rts"]
    assert len(rts) == 87
    assert sum(len(rt["households"]) for rt in rts) == 87
    assert small == large == expected


def test_each_households_residents_return_only_the_requested_page(lurah_client, regions):
    kr = regions.karang_rejo
    for number in (1, 2, 3, 4):
        make_household(regions.rt(kr, number), members=5)
    queries, result = _count(lurah_client, PAGINATED_RESIDENTS)
    rts = result["data"]["kelurahan"]["rts"]
    assert len(rts) == 3  # rts paginated to 3 of 87
    for rt in rts:
        for household in rt["households"]:
            assert len(household["residents"]) == 2  # offset 1, limit 2 of 5 members
    assert queries == 7


def test_region_figures_are_subqueries_on_the_region_row_not_a_grouped_join(gql, actors, regions):
    """Regression: grouped over a resident join, SQLite re-ran the household and stay
    counts once per joined row, so a kecamatan's figures took seconds. Each figure is a
    correlated subquery on the region row instead; no region query joins residents."""
    kr = regions.karang_rejo
    for number in range(1, 11):
        make_household(regions.rt(kr, number), members=5)
    with CaptureQueriesContext(connection) as ctx:
        result = gql(actors.camat).execute(
            "{ kecamatanList { populationStats { living households openStays } "
            "kelurahan { populationStats { living households } "
            "rts { populationStats { living } } } } }"
        )
    assert "errors" not in result
    kecamatan = result["data"]["kecamatanList"][0]
    assert kecamatan["populationStats"]["households"] == 10
    assert kecamatan["populationStats"]["living"] == 50
    region_queries = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT") and "stats_residents" in q["sql"]
    ]
    assert len(region_queries) == 3  # kecamatan, kelurahan, RT: one statement each
    for sql in region_queries:
        outer_from = sql[sql.rindex('AS "stats_open_stays"') :]
        assert 'JOIN "population_resident"' not in outer_from
