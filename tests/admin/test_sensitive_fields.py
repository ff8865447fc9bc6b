"""Sensitive fields never leak through the admin's URLs, search box, detail pages or exports.

- No ModelAdmin (ours or a third party's) filters through URL parameters on
  NIK, KK number, birth date, passport/KITAS number or phone, directly or
  across relations: a partial match would reveal masked digits one guess at
  a time. Django answers 400 (``DisallowedModelAdminLookup``).
- An exact 16-digit search matches only where the user may see the number
  (tested by role in ``test_permission_matrix``).
- Birth dates are shown, and passport/KITAS numbers unmasked, only to roles
  holding NIK rights over the resident's RT: detail page and exports.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import formats, translation

from backend.population.models import Resident
from tests.admin.conftest import admin_url, head_of

pytestmark = pytest.mark.django_db

PROBES = {
    "population_resident_changelist": [
        "nik=6471041705750001",
        "nik__startswith=647104170",
        "nik__regex=^6471041",
        "birth_date__year=1975",
        "birth_date__month=5",
        "birth_date__gte=1975-01-01",
        "household__no_kk__startswith=6471",
        "household__residents__nik__startswith=6471",
        "passport_number__startswith=X",
        "phone__contains=0812",
    ],
    "population_household_changelist": [
        "no_kk__startswith=6471",
        "residents__nik__startswith=6471",
        "residents__birth_date__year=1975",
    ],
    "reports_nonpermanentstay_changelist": [
        "birth_date__year=1999",
        "nik__startswith=6471",
        "passport_number__startswith=X",
    ],
    "reports_report_changelist": [
        "staystartdetail__birth_date__year=1999",
        "opened_stay__nik__startswith=6471",
        "deathdetail__resident__nik__startswith=6471",
    ],
    "audit_auditevent_changelist": ["snapshot__nik__startswith=6471"],
}


@pytest.mark.parametrize("role", ["camat", "lurah", "admin_kota"])
def test_url_lookups_on_sensitive_fields_are_refused_for_every_role(
    client, actors, population, role
):
    client.force_login(getattr(actors, role))
    for name, probes in PROBES.items():
        for probe in probes:
            response = client.get(admin_url(name, query=probe))
            assert response.status_code == 400, (name, probe, response.status_code)


def test_plain_filters_still_work(client, actors, population):
    client.force_login(actors.camat)
    household = population.rt1
    response = client.get(
        admin_url("population_resident_changelist", query=f"household__id__exact={household.pk}")
    )
    assert response.status_code == 200
    assert {r.pk for r in response.context["cl"].result_list} == set(
        household.residents.values_list("pk", flat=True)
    )
    response = client.get(admin_url("population_resident_changelist", query="has_nik=no"))
    assert response.status_code == 200
    assert (
        client.get(admin_url("population_resident_changelist", query="age_band=lansia")).status_code
        == 200
    )


def test_every_registered_model_admin_refuses_sensitive_lookups(actors):
    request = RequestFactory().get("/admin/")
    request.user = actors.admin_kota
    checked = 0
    for model, model_admin in admin.site._registry.items():
        names = {f.name for f in model._meta.get_fields()}
        for field in ("nik", "no_kk", "birth_date", "passport_number", "phone"):
            if field in names:
                checked += 1
                assert not model_admin.lookup_allowed(f"{field}__startswith", "1", request), (
                    model._meta.label,
                    field,
                )
                assert not model_admin.to_field_allowed(request, field), model._meta.label
    assert checked >= 6


def test_a_third_party_model_admin_is_guarded_too(actors):
    from axes.models import AccessAttempt

    from admin_config.base import touches_sensitive_field

    model_admin = admin.site._registry[AccessAttempt]
    request = RequestFactory().get("/admin/")
    request.user = actors.admin_kota
    # AccessAttempt has no personal number; the guard wraps it all the same.
    assert model_admin.lookup_allowed.__name__ == "guarded_lookup_allowed"
    assert not model_admin.to_field_allowed(request, "birth_date")
    assert touches_sensitive_field(Resident, "household__no_kk__startswith")
    assert not touches_sensitive_field(Resident, "household__id__exact")


# -- birth dates on the resident page and in exports ------------------------------------


@pytest.mark.parametrize("role", ["ketua_rt_1", "staf_kecamatan", "camat"])
def test_resident_page_shows_the_birth_year_only_without_nik_rights(
    client, actors, population, role
):
    resident = head_of(population.rt1)
    Resident.objects.filter(pk=resident.pk).update(passport_number="X7654321")
    client.force_login(getattr(actors, role))
    response = client.get(admin_url("population_resident_change", resident.pk))
    assert response.status_code == 200
    page = response.content.decode()
    born = resident.birth_date
    with translation.override("id"):
        written = formats.date_format(born, "DATE_FORMAT")  # "17 Mei 1975"
    assert written not in page
    assert born.strftime("%d-%m-%Y") not in page and born.isoformat() not in page
    assert "X7654321" not in page and "********" in page
    assert str(born.year) in page


@pytest.mark.parametrize("role", ["lurah", "staf_kelurahan"])
def test_resident_page_shows_the_birth_date_to_roles_with_nik_rights(
    client, actors, population, role
):
    resident = head_of(population.rt1)
    Resident.objects.filter(pk=resident.pk).update(passport_number="X7654321")
    client.force_login(getattr(actors, role))
    page = client.get(admin_url("population_resident_change", resident.pk)).content.decode()
    assert resident.birth_date.strftime("%d-%m-%Y") in page
    assert "X7654321" in page


def _export_rows(client, url) -> list[dict]:
    response = client.post(url, {"fmt": "csv;"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body), delimiter=";"))


def test_resident_export_leaves_birth_dates_out_for_the_camat(client, actors, population):
    client.force_login(actors.camat)
    rows = _export_rows(client, admin_url("population_resident_export_filtered"))
    assert rows and all(row["Tanggal Lahir"] == "" for row in rows)
    assert all("********" in row["NIK"] for row in rows)


def test_resident_export_has_birth_dates_for_the_lurah(client, actors, population):
    client.force_login(actors.lurah)
    rows = _export_rows(client, admin_url("population_resident_export_filtered"))
    assert rows and all(row["Tanggal Lahir"] for row in rows)


def _ordering_by_age(client, user) -> tuple:
    client.force_login(user)
    first = client.get(admin_url("population_resident_changelist"))
    index = list(first.context["cl"].list_display).index("age")
    response = client.get(admin_url("population_resident_changelist", query=f"o={index}"))
    assert response.status_code == 200
    return tuple(response.context["cl"].queryset.query.order_by)


def test_sorting_by_age_is_refused_to_roles_that_may_not_see_birth_dates(
    client, actors, population
):
    # Sorting by age orders by birth date: same-age residents would line up by birthday.
    assert not any("birth_date" in str(o) for o in _ordering_by_age(client, actors.camat))
    assert any("birth_date" in str(o) for o in _ordering_by_age(client, actors.lurah))
