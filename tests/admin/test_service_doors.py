"""The admin writes only through the services: refusals become form errors, nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from backend.audit.models import Action, AuditEvent
from backend.population import codes
from backend.population.models import Household, Resident
from backend.population.synthetic import make_nik, make_no_kk
from tests.admin.conftest import admin_url, head_of, household_form_data, resident_form_data

pytestmark = pytest.mark.django_db


def _form_errors(response) -> dict[str, list[str]]:
    form = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_a_refused_nik_is_an_indonesian_error_on_the_new_nik_field_and_nothing_is_written(
    client, actors, population
):
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)
    before = (resident.name, resident.nik)
    response = client.post(
        admin_url("population_resident_change", resident.pk),
        # Day 72 is no date, for a man or a woman; the name change must not stick either.
        resident_form_data(resident, new_nik="6471047205750001", name="Tidak Tersimpan"),
    )
    assert response.status_code == 200
    errors = _form_errors(response)
    assert "new_nik" in errors
    assert "NIK" in errors["new_nik"][0] and "tanggal" in errors["new_nik"][0]
    resident.refresh_from_db()
    assert (resident.name, resident.nik) == before
    assert not AuditEvent.objects.exists()


def test_a_duplicate_nik_is_refused_on_the_form(client, actors, population):
    client.force_login(actors.lurah)
    resident, other = head_of(population.rt1), head_of(population.rt2)
    response = client.post(
        admin_url("population_resident_change", resident.pk),
        resident_form_data(resident, new_nik=other.nik),
    )
    assert "sudah terdaftar" in " ".join(_form_errors(response)["new_nik"])
    resident.refresh_from_db()
    assert resident.nik != other.nik


def test_a_second_head_is_refused_on_the_relationship_field(client, actors, population):
    client.force_login(actors.staf_kelurahan)
    child = population.rt1.residents.filter(relationship=codes.Relationship.CHILD).first()
    response = client.post(
        admin_url("population_resident_change", child.pk),
        resident_form_data(child, relationship=codes.Relationship.HEAD, name="Anak Baru"),
    )
    errors = _form_errors(response)
    assert "kepala" in " ".join(errors["relationship"]).lower()
    child.refresh_from_db()
    assert child.relationship == codes.Relationship.CHILD
    assert child.name != "Anak Baru"


def test_a_valid_change_is_saved_through_the_service_with_its_audit_event(
    client, actors, population
):
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)
    new_nik = make_nik("647104", codes.Sex.MALE, resident.birth_date, 4321)
    response = client.post(
        admin_url("population_resident_change", resident.pk),
        resident_form_data(resident, new_nik=new_nik, occupation=5),
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.nik == new_nik
    assert resident.occupation == 5
    event = AuditEvent.objects.get(action=Action.UPDATED, entity_type="population.resident")
    assert set(event.changes) == {"nik", "occupation"}
    assert event.actor_id == actors.lurah.pk
    assert event.door == "admin"


def test_an_empty_new_nik_keeps_the_current_one(client, actors, population):
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)
    nik = resident.nik
    client.post(
        admin_url("population_resident_change", resident.pk),
        resident_form_data(resident, name="Nama Lain"),
    )
    resident.refresh_from_db()
    assert (resident.nik, resident.name) == (nik, "Nama Lain")


def test_soft_nik_warnings_are_shown_after_saving(client, actors, population):
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)  # a man
    female_day = make_nik("647104", codes.Sex.FEMALE, resident.birth_date, 7777)
    response = client.post(
        admin_url("population_resident_change", resident.pk),
        resident_form_data(resident, new_nik=female_day),
        follow=True,
    )
    resident.refresh_from_db()
    assert resident.nik == female_day  # a warning never refuses
    levels = {m.level_tag: str(m) for m in response.context["messages"]}
    assert "warning" in levels
    assert "perempuan" in levels["warning"].lower()


def test_adding_a_household_and_a_member(client, actors, regions):
    client.force_login(actors.lurah)
    rt = regions.rt(regions.karang_rejo, 5)
    no_kk = make_no_kk("647104", date(2020, 2, 3), 55)
    response = client.post(
        admin_url("population_household_add"),
        {"new_no_kk": no_kk, "rt": rt.pk, "address": "Jl. Baru 1", "_save": "Simpan"},
    )
    assert response.status_code == 302
    household = Household.objects.get(no_kk=no_kk)
    assert household.rt == rt
    nik = make_nik("647104", codes.Sex.FEMALE, date(1990, 4, 5), 1)
    response = client.post(
        admin_url("population_resident_add"),
        {
            "new_nik": nik,
            "name": "Siti Contoh",
            "sex": codes.Sex.FEMALE,
            "birth_date": "05-04-1990",
            "citizenship": 1,
            "blood_type": 13,
            "household": household.pk,
            "relationship": codes.Relationship.HEAD,
            "marital_status": 1,
            "status": 1,
            "residency": 1,
            "_save": "Simpan",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    resident = Resident.objects.get(nik=nik)
    assert resident.rt == rt  # domicile follows the KK
    assert AuditEvent.objects.filter(action=Action.CREATED).count() == 2


def test_a_household_with_members_cannot_be_deleted_and_the_page_says_why(
    client, actors, population
):
    client.force_login(actors.lurah)
    household = population.rt1
    response = client.post(
        admin_url("population_household_delete", household.pk), {"post": "yes"}, follow=True
    )
    assert Household.objects.filter(pk=household.pk).exists()
    assert response.status_code == 200


def test_a_bad_kk_number_on_a_new_household_is_a_field_error(client, actors, regions):
    client.force_login(actors.lurah)
    rt = regions.rt(regions.karang_rejo, 5)
    response = client.post(
        admin_url("population_household_add"),
        {"new_no_kk": "6.47104E+15", "rt": rt.pk, "address": "Jl. X", "_save": "Simpan"},
    )
    assert response.status_code == 200
    assert "new_no_kk" in _form_errors(response)
    assert not Household.objects.filter(rt=rt).exists()


def test_the_household_form_changes_the_kk_number_only_when_a_new_one_is_typed(
    client, actors, population
):
    client.force_login(actors.lurah)
    household = population.rt2
    old = household.no_kk
    client.post(
        admin_url("population_household_change", household.pk),
        household_form_data(household, address="Jl. Pindah 2"),
    )
    household.refresh_from_db()
    assert (household.no_kk, household.address) == (old, "Jl. Pindah 2")
    new = make_no_kk("647104", date(2021, 6, 7), 99)
    client.post(
        admin_url("population_household_change", household.pk),
        household_form_data(household, new_no_kk=new),
    )
    household.refresh_from_db()
    assert household.no_kk == new


def test_moving_a_resident_to_a_kk_outside_the_scope_is_refused(client, actors, population):
    client.force_login(actors.lurah)
    resident = population.rt1.residents.filter(relationship=codes.Relationship.CHILD).first()
    response = client.post(
        admin_url("population_resident_change", resident.pk),
        resident_form_data(resident, household=population.karang_jati.pk),
    )
    assert "household" in _form_errors(response)
    resident.refresh_from_db()
    assert resident.household_id == population.rt1.pk
