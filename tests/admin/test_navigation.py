"""The sidebar: every role sees the pages it may open, and every page it sees opens.

Also the integration of the reports, audit and imports admins into the one
site: each module is registered once, by ``admin_config/admin.py``, and the
URL lookups that could reveal masked numbers are refused there too.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tests.admin.conftest import ROLES, admin_url, user_for

pytestmark = pytest.mark.django_db

#: Sidebar entries (URL name, query) each role is shown, besides the dashboard.
QUEUE = "reports_reportqueue_changelist"
COMPLIANCE = "reports_rtcompliance_changelist"
REPORTS = "reports_report_changelist"
STAYS = "reports_nonpermanentstay_changelist"
AUDIT = "audit_auditevent_changelist"
JOBS = "imports_importjob_changelist"
NEW_IMPORT = "imports_importjob_add"
EXPORT = "imports_importjob_export"
POPULATION = {"population_household_changelist", "population_resident_changelist"}
REGIONS = {"wilayah_kecamatan_changelist", "wilayah_kelurahan_changelist", "wilayah_rt_changelist"}
KELURAHAN_OFFICE = {QUEUE, COMPLIANCE, REPORTS, STAYS, AUDIT, JOBS, NEW_IMPORT, EXPORT}
KECAMATAN_OFFICE = {COMPLIANCE, REPORTS, STAYS, AUDIT, EXPORT}
EXPECTED = {
    "ketua_rt": {COMPLIANCE, REPORTS, STAYS},
    "staf_kelurahan": KELURAHAN_OFFICE,
    "lurah": KELURAHAN_OFFICE,
    "staf_kecamatan": KECAMATAN_OFFICE,
    "camat": KECAMATAN_OFFICE,
    "admin_kota": KELURAHAN_OFFICE,
}
NEW_PAGES = KELURAHAN_OFFICE


def sidebar_links(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return [
        item["link"] for group in admin.site.get_sidebar_list(request) for item in group["items"]
    ]


def url_names(links: list[str]) -> set[str]:
    from django.urls import resolve

    return {resolve(link.split("?")[0]).url_name for link in links}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "no_role"])
def test_each_role_sees_the_report_audit_and_import_pages_it_may_open(client, actors, role):
    user = user_for(actors, role)
    links = sidebar_links(user)
    shown = url_names(links)

    assert shown & NEW_PAGES == EXPECTED[role]
    assert shown >= POPULATION and REGIONS & shown
    client.force_login(user)
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("role", [r for r in ROLES if r != "no_role"])
def test_pages_left_out_of_a_roles_sidebar_are_refused(client, actors, role):
    client.force_login(user_for(actors, role))
    for name in sorted(NEW_PAGES - EXPECTED[role]):
        assert client.get(admin_url(name)).status_code == 403, name


def test_the_camat_reaches_the_export_page_without_import_rights(client, actors):
    shown = url_names(sidebar_links(actors.camat))
    assert EXPORT in shown and JOBS not in shown and NEW_IMPORT not in shown
    client.force_login(actors.camat)
    assert client.get(admin_url(EXPORT)).status_code == 200


def test_every_admin_module_is_registered_once_by_admin_config():
    from django.apps import apps

    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "reports.Report",
        "reports.ReportQueue",
        "reports.RTCompliance",
        "reports.NonPermanentStay",
        "audit.AuditEvent",
        "imports.ImportJob",
    } <= registered
    for app in ("reports", "audit", "imports"):
        module = f"{apps.get_app_config(app).name}.admin"
        with pytest.raises(ModuleNotFoundError):
            __import__(module)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        (AUDIT, "snapshot__nik__startswith=647104"),
        (AUDIT, "changes__icontains=6471"),
        (AUDIT, "note__icontains=a"),
        (STAYS, "nik__startswith=647105"),
        (STAYS, "passport_number__startswith=A"),
    ],
)
def test_masked_numbers_cannot_be_probed_through_url_lookups(client, actors, name, query):
    client.force_login(actors.camat)
    assert client.get(admin_url(name, query=query)).status_code == 400


def test_a_login_opened_directly_lands_on_the_dashboard(client, actors):
    from tests.conftest import PASSWORD

    response = client.post(
        admin_url("login"), {"username": actors.lurah.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == admin_url("index")


def test_each_age_band_link_on_the_dashboard_opens_the_list_it_counts(client, actors, population):
    from backend.population.models import Resident

    elder = population.rt1.residents.first()
    Resident.objects.filter(pk=elder.pk).update(birth_date="1950-01-01")
    client.force_login(actors.lurah)
    response = client.get("/admin/")
    (panel,) = [p for p in response.context["dashboard_panels"] if p.key == "population"]
    for band in panel.context["bands"]:
        page = client.get(band["link"])
        assert page.context["cl"].result_count == band["count"], band["label"]
