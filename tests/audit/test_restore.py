"""Restoring an earlier version through the population services."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils.translation import gettext_lazy as _

from backend.audit import restore
from backend.audit.models import Action, AuditEvent
from backend.common.errors import Code, DomainError
from backend.population import codes
from backend.population import services as svc
from backend.population.models import Household, Resident


def _latest(action: str, **filters) -> AuditEvent:
    return AuditEvent.objects.filter(action=action, **filters).latest("seq")


def test_a_resident_gets_an_earlier_version_back(actors, population, log):
    resident = population.rt1.residents.order_by("pk").first()
    original = resident.name
    svc.resident_update(actor=actors.lurah, resident=resident, name="Sempat Benar")
    good = _latest(Action.UPDATED)
    svc.resident_update(
        actor=actors.lurah, resident=resident, name="Salah", religion=codes.Religion.HINDU
    )

    restored = svc.resident_restore(actor=actors.lurah, resident_id=resident.pk, event=good)

    assert (restored.name, restored.religion) == ("Sempat Benar", None)
    event = log.new()[-1]
    assert event.action == Action.RESTORED
    assert event.changes == {"name": ["Salah", "Sempat Benar"], "religion": [4, None]}
    assert event.note == f"restored from audit event #{good.pk} (seq {good.seq})"
    assert original != restored.name


def test_a_deleted_resident_is_recreated_with_the_same_id(actors, population, log):
    resident = population.rt1.residents.order_by("-pk").first()
    svc.resident_delete(actor=actors.lurah, resident=resident)
    deleted = _latest(Action.DELETED)

    restored = restore.restore(actor=actors.staf_kelurahan, event=deleted)

    assert restored.pk == resident.pk
    fresh = Resident.objects.get(pk=resident.pk)
    assert (fresh.nik, fresh.name, fresh.household_id) == (
        resident.nik,
        resident.name,
        resident.household_id,
    )
    assert log.new()[-1].action == Action.RESTORED


def test_restoring_a_member_of_a_deleted_household_asks_for_the_household_first(
    actors, regions, log
):
    household = svc.household_create(
        actor=actors.lurah,
        rt=regions.rt(regions.karang_rejo, 3),
        no_kk="6471040801240555",
        address="Jl. Sementara",
    )
    member = svc.resident_register(
        actor=actors.lurah,
        household=household,
        name="Kepala Sementara",
        sex=codes.Sex.MALE,
        birth_date=date(1980, 1, 1),
        relationship=codes.Relationship.HEAD,
    )
    svc.resident_delete(actor=actors.lurah, resident=member)
    member_deleted = _latest(Action.DELETED, entity_type="population.resident")
    svc.household_delete(actor=actors.lurah, household=household)
    household_deleted = _latest(Action.DELETED, entity_type="population.household")
    log.mark()

    with pytest.raises(DomainError) as caught:
        restore.restore(actor=actors.lurah, event=member_deleted)
    assert caught.value.code == "household_missing"
    assert log.new() == []

    restore.restore(actor=actors.lurah, event=household_deleted)
    restore.restore(actor=actors.lurah, event=member_deleted)
    assert Resident.objects.get(pk=member.pk).household_id == household.pk


def test_a_restore_is_validated_like_an_update(actors, population, log):
    first, second = population.rt1.residents.order_by("pk")[:2]
    created_like = svc.resident_update(actor=actors.lurah, resident=first, name="Versi Lama")
    version = _latest(Action.UPDATED, entity_id=str(first.pk))
    # The NIK of that version now belongs to someone else.
    nik = first.nik
    svc.resident_update(actor=actors.lurah, resident=first, nik=None)
    svc.resident_update(actor=actors.lurah, resident=second, nik=nik)
    log.mark()

    with pytest.raises(DomainError) as caught:
        svc.resident_restore(actor=actors.lurah, resident_id=first.pk, event=version)

    assert caught.value.code == "nik_duplicate"
    assert log.new() == []
    assert created_like.name == "Versi Lama"


def test_restoring_outside_the_scope_is_refused_and_recorded(actors, population, log):
    resident = population.rt1.residents.order_by("pk").first()
    svc.resident_update(actor=actors.lurah, resident=resident, name="Baru")
    version = _latest(Action.UPDATED)
    log.mark()

    with pytest.raises(DomainError) as caught:
        svc.resident_restore(actor=actors.lurah_karang_jati, resident_id=resident.pk, event=version)

    assert caught.value.code == Code.OUT_OF_SCOPE
    (event,) = log.new()
    assert (event.action, event.changes["operation"]) == (
        Action.PERMISSION_DENIED,
        "population.resident_restore",
    )


def test_an_event_of_another_record_cannot_be_restored_onto_this_one(actors, population):
    a, b = population.rt1.residents.order_by("pk")[:2]
    svc.resident_update(actor=actors.lurah, resident=a, name="Punya A")
    event_of_a = _latest(Action.UPDATED)
    with pytest.raises(DomainError) as caught:
        svc.resident_restore(actor=actors.lurah, resident_id=b.pk, event=event_of_a)
    assert caught.value.code == Code.INVALID


def test_restoring_the_current_version_is_refused_as_nothing_to_do(actors, population, log):
    resident = population.rt1.residents.order_by("pk").first()
    svc.resident_update(actor=actors.lurah, resident=resident, name="Sama")
    current = _latest(Action.UPDATED)
    log.mark()
    with pytest.raises(DomainError) as caught:
        svc.resident_restore(actor=actors.lurah, resident_id=resident.pk, event=current)
    assert caught.value.code == "nothing_to_restore"
    assert log.new() == []


@pytest.fixture
def forbid_restoring_deceased():
    """A rule another domain would declare (e.g. reports: a decided report stays decided)."""

    def rule(*, actor, event, current):
        if current is not None and current.status == codes.LifeStatus.DECEASED:
            raise DomainError("restore_forbidden", _("A decided death cannot be undone here."))

    restore.rule("population.resident")(rule)
    yield
    restore._rules["population.resident"].remove(rule)


def test_a_declared_workflow_rule_refuses_the_restore(
    actors, population, log, forbid_restoring_deceased
):
    resident = population.rt1.residents.order_by("pk").first()
    svc.resident_update(actor=actors.lurah, resident=resident, name="Hidup")
    alive = _latest(Action.UPDATED)
    svc.resident_update(
        actor=actors.lurah,
        resident=resident,
        status=codes.LifeStatus.DECEASED,
        status_date=date(2026, 1, 5),
    )
    log.mark()

    with pytest.raises(DomainError) as caught:
        svc.resident_restore(actor=actors.lurah, resident_id=resident.pk, event=alive)

    assert caught.value.code == "restore_forbidden"
    assert log.new() == []
    assert Resident.objects.get(pk=resident.pk).status == codes.LifeStatus.DECEASED


def test_member_moves_are_recorded_with_restorable_versions(actors, population, regions, log):
    household = population.rt1
    svc.household_update(
        actor=actors.lurah, household=household, rt=regions.rt(regions.karang_rejo, 2)
    )
    member_events = [e for e in log.new() if e.entity_type == "population.resident"]

    assert member_events and all(restore.is_restorable(e) for e in member_events)
    assert all(e.snapshot["rt"] == regions.rt(regions.karang_rejo, 2).pk for e in member_events)


def test_a_household_restore_to_another_rt_moves_its_members(actors, population, regions, log):
    household = population.rt1
    rt1 = household.rt
    svc.household_update(actor=actors.lurah, household=household, address="Jl. Lama 9")
    in_rt1 = _latest(Action.UPDATED, entity_type="population.household")
    svc.household_update(
        actor=actors.lurah, household=household, rt=regions.rt(regions.karang_rejo, 2)
    )

    svc.household_restore(actor=actors.lurah, household_id=household.pk, event=in_rt1)

    assert Household.objects.get(pk=household.pk).rt_id == rt1.pk
    assert set(household.residents.values_list("rt_id", flat=True)) == {rt1.pk}
