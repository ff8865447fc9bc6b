"""Population services: scope, validation, one head per household, audit in the same transaction."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from backend.audit.models import Action, AuditEvent
from backend.common.errors import Code, DomainError
from backend.population import codes, services
from backend.population.models import Household, Resident
from backend.population.synthetic import make_nik, make_no_kk


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


def _new_resident(actor, household, **extra):
    fields = {
        "nik": make_nik("647104", codes.Sex.FEMALE, date(2019, 4, 2), 9001),
        "name": "Anak Baru",
        "sex": codes.Sex.FEMALE,
        "birth_date": date(2019, 4, 2),
        "relationship": codes.Relationship.CHILD,
    }
    fields.update(extra)
    return services.resident_register(actor=actor, household=household, **fields)


def test_staff_registers_a_resident_and_the_audit_event_is_written(actors, population):
    resident = _new_resident(actors.staf_kelurahan, population.rt1)
    assert resident.rt == population.rt1.rt
    event = AuditEvent.objects.get(entity_type="population.resident", entity_id=str(resident.pk))
    assert event.action == Action.CREATED
    assert event.actor == actors.staf_kelurahan
    assert event.snapshot["name"] == "Anak Baru"
    assert event.rt_id == population.rt1.rt_id


def test_resident_without_a_nik_yet_is_allowed_without_a_fake_number(actors, population):
    baby = _new_resident(actors.staf_kelurahan, population.rt1, nik="")
    assert baby.nik is None


@pytest.mark.parametrize(
    ("role", "household", "code"),
    [
        ("ketua_rt_1", "rt1", Code.PERMISSION_DENIED),  # may view, not change
        ("camat", "rt1", Code.PERMISSION_DENIED),
        ("staf_kelurahan", "karang_jati", Code.OUT_OF_SCOPE),
        ("lurah_karang_jati", "rt1", Code.OUT_OF_SCOPE),
        ("no_role", "rt1", Code.OUT_OF_SCOPE),
    ],
)
def test_changes_outside_the_actors_rights_are_refused_and_nothing_is_written(
    actors, population, role, household, code
):
    """Nothing is created and no event claims it was; the refusal itself is recorded."""
    residents = Resident.objects.count()
    with pytest.raises(DomainError) as exc:
        _new_resident(getattr(actors, role), getattr(population, household))
    assert exc.value.code == code
    assert Resident.objects.count() == residents
    assert not AuditEvent.objects.filter(action=Action.CREATED).exists()
    refusal = AuditEvent.objects.get()
    assert refusal.action == Action.PERMISSION_DENIED
    assert refusal.actor == getattr(actors, role)


def test_a_second_living_head_is_refused_with_a_field_error(actors, population):
    with pytest.raises(DomainError) as exc:
        _new_resident(actors.lurah, population.rt1, relationship=codes.Relationship.HEAD)
    assert exc.value.problems[0].field == "relationship"
    assert str(exc.value.problems[0].message).startswith("Keluarga ini sudah memiliki kepala")


def test_the_database_itself_refuses_two_living_heads(population):
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    other = population.rt1.residents.exclude(pk=head.pk).first()
    other.relationship = codes.Relationship.HEAD
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_the_database_itself_refuses_a_duplicate_nik(population):
    first, second = population.rt1.residents.all()[:2]
    second.nik = first.nik
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_a_deceased_head_leaves_room_for_a_new_head(actors, population):
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    services.resident_update(
        actor=actors.lurah,
        resident=head,
        status=codes.LifeStatus.DECEASED,
        status_date=date(2026, 11, 30),
    )
    wife = population.rt1.residents.get(relationship=codes.Relationship.WIFE)
    services.resident_update(
        actor=actors.lurah, resident=wife, relationship=codes.Relationship.HEAD
    )
    wife.refresh_from_db()
    assert wife.is_head


def test_update_records_only_the_changed_fields(actors, population):
    resident = population.rt1.residents.first()
    services.resident_update(actor=actors.lurah, resident=resident, phone="081234567890")
    event = AuditEvent.objects.get(action=Action.UPDATED, entity_id=str(resident.pk))
    assert event.changes == {"phone": ["", "081234567890"]}


def test_moving_a_resident_to_a_household_outside_scope_is_refused(actors, population):
    resident = population.rt1.residents.exclude(relationship=codes.Relationship.HEAD).first()
    with pytest.raises(DomainError) as exc:
        services.resident_update(
            actor=actors.lurah, resident=resident, household=population.karang_jati
        )
    assert exc.value.code == Code.OUT_OF_SCOPE
    resident.refresh_from_db()
    assert resident.household == population.rt1


def test_household_with_a_bad_kk_number_is_refused_naming_the_field(actors, regions):
    rt = regions.rt(regions.karang_rejo, 5)
    with pytest.raises(DomainError) as exc:
        services.household_create(actor=actors.lurah, rt=rt, no_kk="6471040203150000", address="x")
    assert exc.value.problems[0].field == "no_kk"
    assert not Household.objects.filter(rt=rt).exists()


def test_moving_a_household_moves_its_members_and_audits_each(actors, population, regions):
    new_rt = regions.rt(regions.karang_rejo, 9)
    services.household_update(actor=actors.lurah, household=population.rt1, rt=new_rt)
    assert set(population.rt1.residents.values_list("rt", flat=True)) == {new_rt.pk}
    moved = AuditEvent.objects.filter(
        entity_type="population.resident", action=Action.UPDATED, note="household moved"
    )
    assert moved.count() == population.rt1.residents.count()


def test_household_with_members_cannot_be_deleted(actors, population):
    with pytest.raises(DomainError) as exc:
        services.household_delete(actor=actors.lurah, household=population.rt1)
    assert exc.value.code == "household_not_empty"


def test_new_household_is_registered_with_a_valid_kk_number(actors, regions):
    rt = regions.rt(regions.karang_rejo, 7)
    household = services.household_create(
        actor=actors.staf_kelurahan,
        rt=rt,
        no_kk=make_no_kk("647104", date(2020, 1, 15), 77),
        address="Jl. Sepakat No. 3",
    )
    assert household.no_kk == "6471041501200077"


def test_a_member_who_moves_away_flags_the_kk_for_reissue(actors, population):
    from datetime import timedelta

    from backend.population import codes
    from backend.population.age import today_wita
    from backend.population.models import Household

    child = population.rt1.residents.get(relationship=codes.Relationship.CHILD)
    services.resident_update(
        actor=actors.staf_kelurahan,
        resident=child,
        status=codes.LifeStatus.MOVED,
        status_date=today_wita() - timedelta(days=1),
    )
    household = Household.objects.get(pk=population.rt1.pk)
    assert household.needs_update
    assert household.needs_update_reason == (
        "Anggota keluarga telah pindah: terbitkan ulang KK tanpa anggota tersebut."
    )
