"""Admin test helpers: who sees which household of the shared ``population`` fixture.

``population`` has one household (3 members) in each of: Karang Rejo RT 001
(``rt1``), Karang Rejo RT 002 (``rt2``), Karang Jati RT 001 (``karang_jati``,
same kecamatan) and Sepinggan RT 001 (``sepinggan``, another kecamatan).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from backend.population.models import Household, Resident

ALL = frozenset({"rt1", "rt2", "karang_jati", "sepinggan"})
KELURAHAN = frozenset({"rt1", "rt2"})
KECAMATAN = frozenset({"rt1", "rt2", "karang_jati"})

ROLES = ("ketua_rt", "staf_kelurahan", "lurah", "staf_kecamatan", "camat", "admin_kota", "no_role")

#: Households (by fixture name) each role may see.
VISIBLE = {
    "ketua_rt": frozenset({"rt1"}),
    "staf_kelurahan": KELURAHAN,
    "lurah": KELURAHAN,
    "staf_kecamatan": KECAMATAN,
    "camat": KECAMATAN,
    "admin_kota": ALL,
    "no_role": frozenset(),
}
#: Households each role may change (Cap.POPULATION_CHANGE).
WRITABLE = {
    "ketua_rt": frozenset(),
    "staf_kelurahan": KELURAHAN,
    "lurah": KELURAHAN,
    "staf_kecamatan": frozenset(),
    "camat": frozenset(),
    "admin_kota": ALL,
    "no_role": frozenset(),
}
#: Roles that may reveal a full NIK (Cap.POPULATION_VIEW_NIK) and where.
REVEALABLE = {
    "ketua_rt": frozenset(),
    "staf_kelurahan": KELURAHAN,
    "lurah": KELURAHAN,
    "staf_kecamatan": frozenset(),
    "camat": frozenset(),
    "admin_kota": ALL,
    "no_role": frozenset(),
}


def user_for(actors, role: str):
    return actors.no_role if role == "no_role" else actors.all_roles()[role]


def households(population) -> dict[str, Household]:
    return {name: getattr(population, name) for name in sorted(ALL)}


def head_of(household: Household) -> Resident:
    return household.residents.order_by("relationship", "pk").first()


def admin_url(name: str, *args, query: str = "") -> str:
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{query}" if query else url


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def resident_form_data(resident: Resident, **overrides) -> dict:
    """A complete, valid change-form POST for ``resident`` (no new NIK)."""
    data = {
        "new_nik": "",
        "name": resident.name,
        "sex": resident.sex,
        "birth_place": resident.birth_place,
        "birth_date": resident.birth_date.strftime("%d-%m-%Y"),
        "religion": resident.religion or "",
        "citizenship": resident.citizenship,
        "blood_type": resident.blood_type,
        "household": resident.household_id or "",
        "relationship": resident.relationship or "",
        "rt": resident.rt_id,
        "father_name": "",
        "mother_name": "",
        "marital_status": resident.marital_status,
        "marriage_recorded": "unknown",
        "marriage_date": "",
        "education": "",
        "occupation": "",
        "status": resident.status,
        "status_date": "",
        "residency": resident.residency,
        "ikd_activated_on": "",
        "passport_number": "",
        "kitas_number": "",
        "phone": "",
        "_save": "Simpan",
    }
    data.update(overrides)
    return data


def household_form_data(household: Household, **overrides) -> dict:
    data = {
        "new_no_kk": "",
        "rt": household.rt_id,
        "address": household.address,
        "postal_code": "",
        "issued_on": "",
        "needs_update_reason": "",
        "_save": "Simpan",
    }
    data.update(overrides)
    return data


def population_panel(response) -> dict:
    """The dashboard's population panel context."""
    return dashboard_panel(response, "population")


def dashboard_panel(response, key: str) -> dict:
    (panel,) = [p for p in response.context["dashboard_panels"] if p.key == key]
    return panel.context


_TAGS = re.compile(r"<[^>]+>")


def text_of(response) -> str:
    return _TAGS.sub(" ", response.content.decode())


@pytest.fixture
def today() -> date:
    from backend.population.age import today_wita

    return today_wita()
