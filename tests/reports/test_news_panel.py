"""Kabar terbaru: the dashboard's news of the last seven days in the user's region,
counted in SQL with a fixed number of queries, each figure linking to the admin
list that shows exactly what it counts."""

from __future__ import annotations

from datetime import date, timedelta

from admin_config.reports import news_figures
from backend.population import codes
from backend.population.models import Resident
from backend.reports import services
from backend.reports.choices import Kind
from backend.reports.models import NonPermanentStay, Report
from tests.conftest import make_household
from tests.reports.conftest import ISSUE, death, make_report, save, stay_start, today
from tests.reports.test_admin import _panel, client_for


def _news(actors, population, kr):
    """A death approved, an arrival opened, an open issue, a stay past its expected end."""
    staff = actors.staf_kelurahan
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    services.report_approve(
        actor=staff, report=save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    )
    services.report_approve(
        actor=staff,
        report=save(
            actors.ketua_rt_1, Kind.STAY_START, stay_start(start_date=today() - timedelta(days=3))
        ).report,
    )
    issue = save(actors.ketua_rt_2, Kind.ISSUE, dict(ISSUE)).report
    services.report_approve(actor=staff, report=issue)
    old = save(
        actors.ketua_rt_2,
        Kind.STAY_START,
        stay_start(
            nik="6471055507010004",
            sex=2,
            birth_date=date(2001, 7, 15),
            start_date=today() - timedelta(days=7),
            expected_end_date=today() - timedelta(days=1),
        ),
    ).report
    services.report_approve(actor=staff, report=old)
    baby = population.rt2.residents.first()
    Resident.objects.filter(pk=baby.pk).update(birth_date=today() - timedelta(days=2))


def test_news_counts_the_last_seven_days_of_the_users_region(actors, population, kr):
    _news(actors, population, kr)
    make_household(kr.rt1.kelurahan.rts.get(number=3, rw__isnull=True))  # 3 new residents
    figures = news_figures(actors.lurah)
    assert figures["deaths"] == 1
    # By arrival date: the stay that began seven days ago is before the period.
    assert figures["arrivals"] == 1 and figures["stays_overdue"] == 1
    assert figures["open_issues"] == 1
    assert figures["births"] == 1
    # The fixture's households and the new one, all recorded today; the deceased not.
    living_new = Resident.objects.filter(
        rt__kelurahan=kr.rt1.kelurahan, status=codes.LifeStatus.ALIVE
    ).count()
    assert figures["new_residents"] == living_new
    # Another kelurahan's Lurah sees none of it.
    assert news_figures(actors.lurah_karang_jati)["deaths"] == 0
    assert news_figures(actors.lurah_karang_jati)["arrivals"] == 0


def test_old_events_and_resolved_issues_are_not_news(actors, population, kr):
    _news(actors, population, kr)
    from django.utils import timezone

    Report.objects.filter(kind=Kind.DEATH).update(decided_at=timezone.now() - timedelta(days=30))
    NonPermanentStay.objects.update(start_date=today() - timedelta(days=8))
    issue = Report.objects.get(kind=Kind.ISSUE)
    services.issue_follow_up_set(actor=actors.staf_kelurahan, report=issue, status="done")
    figures = news_figures(actors.lurah)
    assert (figures["deaths"], figures["arrivals"], figures["open_issues"]) == (0, 0, 0)
    assert figures["stays_overdue"] == 1  # still open past its expected end


def test_news_costs_three_queries_whatever_the_region(
    actors, population, kr, django_assert_num_queries
):
    actors.lurah.scope, actors.admin_kota.scope  # noqa: B018 (loaded once per request)
    with django_assert_num_queries(3):
        news_figures(actors.lurah)
    _news(actors, population, kr)
    for number in range(3, 40):
        make_report(kr.rt1.kelurahan.rts.get(number=number, rw__isnull=True), today())
    with django_assert_num_queries(3):
        news_figures(actors.admin_kota)


def test_each_news_figure_links_to_the_list_it_counts(actors, population, kr):
    _news(actors, population, kr)
    client = client_for(actors.lurah)
    response = client.get("/admin/")
    news = {item["key"]: item for item in _panel(response, "news")["news"]}
    html = response.content.decode()
    assert 'data-panel="news"' in html and "Kabar terbaru" in html
    for key, item in news.items():
        page = client.get(item["url"])
        assert page.status_code == 200, (key, item["url"])
        assert page.context["cl"].result_count == item["count"], key


def test_roles_that_may_not_see_birth_dates_get_no_list_of_newborns(actors, population, kr):
    _news(actors, population, kr)
    client = client_for(actors.camat)
    news = {item["key"] for item in _panel(client.get("/admin/"), "news")["news"]}
    assert "births" not in news and "deaths" in news
    page = client.get("/admin/population/resident/?born_within=7")
    assert page.status_code == 200
    assert "baru lahir" not in page.content.decode().lower()  # the filter is not offered
    lurah_page = client_for(actors.lurah).get("/admin/population/resident/")
    assert "baru lahir" in lurah_page.content.decode().lower()
