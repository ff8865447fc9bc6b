"""SQL statements per admin page are pinned: they do not grow with rows or page size.

Each page costs the session, the user, the role assignments (the Scope),
Django's permission lookups for the third-party admins on the sidebar (two),
and then its own fixed set: counts, the page of rows, and one query per
list filter that has choices.
"""

from __future__ import annotations

import pytest

from tests.admin.conftest import admin_url, population_panel
from tests.conftest import make_household

pytestmark = pytest.mark.django_db

RESIDENT_CHANGELIST = 11
DASHBOARD = 11


@pytest.fixture
def many_residents(regions):
    """150 residents in 30 households over 30 RTs of Karang Rejo."""
    for number in range(1, 31):
        make_household(regions.rt(regions.karang_rejo, number), members=5)


@pytest.mark.parametrize(
    "query",
    ["", "p=2", "all=", "q=Warga+Uji", "sex__exact=2&age_band=25-44&status__exact=1"],
)
def test_the_resident_changelist_costs_the_same_for_any_page(
    client, actors, many_residents, django_assert_num_queries, query
):
    client.force_login(actors.lurah)
    client.get(admin_url("population_resident_changelist"))  # warm the session
    with django_assert_num_queries(RESIDENT_CHANGELIST):
        response = client.get(admin_url("population_resident_changelist", query=query))
    assert response.status_code == 200


def test_showing_all_rows_costs_the_same_as_one_page(client, actors, many_residents):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(actors.lurah)
    counts = {}
    for query in ("", "all="):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(admin_url("population_resident_changelist", query=query))
        counts[len(response.context["cl"].result_list)] = len(ctx.captured_queries)
    assert set(counts) == {50, 150}
    assert counts[50] == counts[150] == RESIDENT_CHANGELIST


@pytest.mark.parametrize("who", ["ketua_rt_1", "lurah", "camat", "admin_kota"])
def test_the_dashboard_costs_the_same_for_every_region_size(
    client, actors, many_residents, django_assert_num_queries, who
):
    client.force_login(getattr(actors, who))
    with django_assert_num_queries(DASHBOARD):
        response = client.get(admin_url("index"))
    assert population_panel(response)["total"].permanent > 0


def test_the_dashboard_costs_the_same_with_an_empty_region(
    client, actors, regions, django_assert_num_queries
):
    client.force_login(actors.lurah)
    with django_assert_num_queries(DASHBOARD):
        client.get(admin_url("index"))
