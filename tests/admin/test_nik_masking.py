"""NIK and KK numbers: masked on every page for every role, revealed only on purpose."""

from __future__ import annotations

import pytest

from backend.audit.models import Action, AuditEvent
from backend.common.masking import mask_nik, mask_no_kk
from backend.population.models import Resident
from tests.admin.conftest import (
    REVEALABLE,
    ROLES,
    VISIBLE,
    admin_url,
    head_of,
    households,
    user_for,
)

pytestmark = pytest.mark.django_db

SIGNED_IN_ROLES = [r for r in ROLES if r != "no_role"]


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_lists_show_nik_and_kk_masked_for_every_role(client, actors, population, role):
    client.force_login(user_for(actors, role))
    residents = client.get(admin_url("population_resident_changelist")).content.decode()
    kks = client.get(admin_url("population_household_changelist")).content.decode()
    for key, household in households(population).items():
        for resident in household.residents.all():
            assert resident.nik not in residents
            assert household.no_kk not in residents
            assert household.no_kk not in kks
            if key in VISIBLE[role]:
                assert mask_nik(resident.nik) in residents
                assert mask_no_kk(household.no_kk) in kks


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_detail_pages_show_numbers_masked_and_the_form_never_prefills_them(
    client, actors, population, role
):
    client.force_login(user_for(actors, role))
    household = population.rt1
    resident = head_of(household)
    page = client.get(admin_url("population_resident_change", resident.pk))
    html = page.content.decode()
    assert resident.nik not in html
    assert household.no_kk not in html
    assert mask_nik(resident.nik) in html
    form = page.context["adminform"].form
    if "new_nik" in form.fields:
        assert not form["new_nik"].value()
    kk_page = client.get(admin_url("population_household_change", household.pk)).content.decode()
    assert household.no_kk not in kk_page
    assert mask_no_kk(household.no_kk) in kk_page
    for member in household.residents.all():
        assert member.nik not in kk_page


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_reveal_button_is_offered_only_to_roles_that_may_see_the_nik(
    client, actors, population, role
):
    client.force_login(user_for(actors, role))
    for key, household in households(population).items():
        if key not in VISIBLE[role]:
            continue
        resident = head_of(household)
        html = client.get(admin_url("population_resident_change", resident.pk)).content.decode()
        reveal_url = admin_url("population_resident_reveal", resident.pk)
        assert (reveal_url in html) == (key in REVEALABLE[role]), key


@pytest.mark.parametrize("role", ROLES)
def test_reveal_shows_the_full_nik_and_records_it_only_where_allowed(
    client, actors, population, role
):
    user = user_for(actors, role)
    client.force_login(user)
    for key, household in households(population).items():
        resident = head_of(household)
        before = AuditEvent.objects.filter(action=Action.NIK_REVEALED).count()
        response = client.post(
            admin_url("population_resident_reveal", resident.pk), HTTP_HX_REQUEST="true"
        )
        events = AuditEvent.objects.filter(action=Action.NIK_REVEALED)
        if key in REVEALABLE[role]:
            assert response.status_code == 200
            assert resident.nik in response.content.decode()
            event = events.latest("id")
            assert events.count() == before + 1
            assert event.actor_id == user.pk
            assert event.entity_type == "population.resident"
            assert event.entity_id == str(resident.pk)
            assert event.rt_id == resident.rt_id
            assert event.door == "admin"
            assert resident.nik not in event.entity_label
        else:
            assert events.count() == before
            assert resident.nik not in response.content.decode()
            if role == "no_role":
                assert response.status_code == 302
            elif key in VISIBLE[role]:
                assert response.status_code == 403
            else:
                assert response.status_code == 404


def test_reveal_without_javascript_shows_a_page_with_the_number(client, actors, population):
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)
    response = client.post(admin_url("population_resident_reveal", resident.pk))
    assert response.status_code == 200
    assert resident.nik in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_reveal_refuses_get(client, actors, population):
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)
    response = client.get(admin_url("population_resident_reveal", resident.pk))
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action=Action.NIK_REVEALED).exists()


def test_kk_number_reveal_is_audited(client, actors, population):
    client.force_login(actors.staf_kelurahan)
    household = population.rt2
    response = client.post(
        admin_url("population_household_reveal", household.pk), HTTP_HX_REQUEST="true"
    )
    assert household.no_kk in response.content.decode()
    event = AuditEvent.objects.get(action=Action.NIK_REVEALED)
    assert event.entity_type == "population.household"
    assert event.note == "field=no_kk"

    client.force_login(actors.camat)
    response = client.post(admin_url("population_household_reveal", household.pk))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=Action.NIK_REVEALED).count() == 1


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_partial_nik_search_finds_nothing(client, actors, population, role):
    client.force_login(user_for(actors, role))
    resident = head_of(population.rt1)
    for partial in (resident.nik[:8], resident.nik[:12], resident.nik[-4:], resident.nik[:15]):
        response = client.get(admin_url("population_resident_changelist", query=f"q={partial}"))
        assert list(response.context["cl"].result_list) == []
        assert "16 digit" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "nik__startswith=647104",
        "nik__contains=1705",
        "nik__regex=^6471",
        "nik__gte=6471040000000000",
        "household__no_kk__startswith=647104",
    ],
)
def test_url_lookups_on_the_nik_are_refused(client, actors, population, query):
    client.force_login(actors.ketua_rt_1)
    response = client.get(admin_url("population_resident_changelist", query=query))
    assert response.status_code == 400


def test_url_lookups_on_the_kk_number_are_refused(client, actors, population):
    client.force_login(actors.camat)
    response = client.get(
        admin_url("population_household_changelist", query="no_kk__startswith=6471")
    )
    assert response.status_code == 400
    response = client.get(
        admin_url("population_household_changelist", query="residents__nik__startswith=6471")
    )
    assert response.status_code == 400


def test_nik_cannot_be_the_popup_return_field(client, actors, population):
    client.force_login(actors.lurah)
    response = client.get(
        admin_url("population_resident_changelist", query="_popup=1&_to_field=nik")
    )
    assert response.status_code == 400


def test_residents_without_a_nik_can_be_listed_without_a_lookup_on_the_nik(
    client, actors, population
):
    resident = head_of(population.rt1)
    Resident.objects.filter(pk=resident.pk).update(nik=None)
    client.force_login(actors.ketua_rt_1)
    response = client.get(admin_url("population_resident_changelist", query="has_nik=no"))
    assert [r.pk for r in response.context["cl"].result_list] == [resident.pk]
    response = client.get(admin_url("population_resident_changelist", query="has_nik=yes"))
    assert resident.pk not in {r.pk for r in response.context["cl"].result_list}
