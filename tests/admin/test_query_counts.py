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
# Session, user, scope (3); Django's permission look-ups for the third-party
# admins on the sidebar (2); the population panel's region rows with every
# figure (1); the reports panel's compliance: RTs, kelurahan starts, per-RT
# figures, runs (4), the reports waiting for a decision or sent back (1), and the
# Ketua RT of the RTs silent the longest (1; none to name in a region without
# reports, where no kelurahan uses Lapor RT yet); the news panel: reports,
# residents, stays (3).
DASHBOARD = 15


@pytest.fixture
def many_residents(regions):
    """150 residents in 30 households over 30 RTs of Karang Rejo, a report from each
    of those RTs (half waiting for a decision) and an open stay in each of ten."""
    from backend.reports.choices import State
    from tests.reports.conftest import make_report, today

    for number in range(1, 31):
        rt = regions.rt(regions.karang_rejo, number)
        make_household(rt, members=5)
        state = State.SUBMITTED if number % 2 else State.APPROVED
        report = make_report(rt, today(), state=state, kind="activity")
        if number <= 10:
            make_stay(rt, report, serial=number)


def make_stay(rt, report, *, serial: int):
    from datetime import date

    from backend.population.synthetic import make_nik
    from backend.reports.models import NonPermanentStay

    return NonPermanentStay.objects.create(
        rt=rt,
        opened_by=report,
        nik=make_nik("647201", 1, date(2000, 1, 2), 9000 + serial),
        name=f"Pendatang {serial}",
        sex=1,
        birth_date=date(2000, 1, 2),
        origin_address="Samarinda",
        purpose="work",
        host_address="Kos Uji",
        start_date=date(2026, 1, 5),
    )


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
    # The Ketua RT's own RT reported today: no silent RT to name.
    with django_assert_num_queries(DASHBOARD - (who == "ketua_rt_1")):
        response = client.get(admin_url("index"))
    total = population_panel(response)["total"]
    assert total.permanent > 0
    if who != "ketua_rt_1":
        assert total.open_stays == 10 and total.non_permanent == 10


def test_the_dashboard_costs_the_same_with_an_empty_region(
    client, actors, regions, django_assert_num_queries
):
    client.force_login(actors.lurah)
    with django_assert_num_queries(DASHBOARD - 1):  # no silent RT to name
        client.get(admin_url("index"))
