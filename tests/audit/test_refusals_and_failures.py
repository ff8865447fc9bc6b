"""A failed change leaves no audit record; a refused attempt that matters is recorded."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from backend.audit.models import Action, AuditEvent
from backend.audit.refusals import audit_refusals, record_refusal, refusals_recorded
from backend.audit.services import record
from backend.common.errors import Code, DomainError
from backend.population import codes
from backend.population import services as population_services_module
from backend.population.models import Resident


def test_a_validation_error_leaves_no_record(actors, population, log):
    resident = population.rt1.residents.first()

    with pytest.raises(DomainError) as caught:
        population_services().resident_update(actor=actors.lurah, resident=resident, nik="123")

    assert caught.value.code.startswith("nik")
    assert log.new() == []


def test_refusing_to_delete_a_household_with_members_leaves_no_record(actors, population, log):
    with pytest.raises(DomainError, match="anggota"):
        population_services().household_delete(actor=actors.lurah, household=population.rt1)
    assert log.new() == []


def test_a_lost_race_leaves_no_record(actors, regions, population, log):
    with (
        mock.patch.object(Resident, "save", side_effect=IntegrityError("unique nik")),
        pytest.raises(DomainError) as caught,
    ):
        population_services().resident_register(
            actor=actors.lurah,
            rt=regions.rt(regions.karang_rejo, 1),
            name="Balapan",
            sex=codes.Sex.MALE,
            birth_date=date(1990, 1, 1),
        )
    assert caught.value.code == Code.CONFLICT
    assert log.new() == []


def population_services():
    # The `population` fixture shadows the module name in the tests' signatures.
    return population_services_module


def test_permission_refused_is_recorded_and_nothing_else(actors, population, log):
    resident = population.rt1.residents.first()

    with pytest.raises(DomainError) as caught:
        population_services().resident_update(
            actor=actors.ketua_rt_1, resident=resident, name="Diubah RT"
        )

    assert caught.value.code == Code.PERMISSION_DENIED
    (event,) = log.new()
    assert (event.action, event.actor_id, event.entity_id) == (
        Action.PERMISSION_DENIED,
        actors.ketua_rt_1.pk,
        str(resident.pk),
    )
    assert event.changes["operation"] == "population.resident_update"
    assert event.changes["code"] == Code.PERMISSION_DENIED
    assert Resident.objects.get(pk=resident.pk).name == resident.name


def test_registering_in_another_kelurahan_is_recorded_in_that_kelurahan(actors, regions, log):
    target_rt = regions.rt(regions.sepinggan, 1)

    with pytest.raises(DomainError):
        population_services().resident_register(
            actor=actors.lurah, rt=target_rt, name="X", sex=1, birth_date=date(1990, 1, 1)
        )

    (event,) = log.new()
    assert event.action == Action.PERMISSION_DENIED
    assert event.changes["code"] == Code.OUT_OF_SCOPE
    assert (event.rt_id, event.kelurahan_id) == (target_rt.pk, regions.sepinggan.pk)


def test_the_refusal_is_written_after_the_failed_change_rolled_back(actors, log):
    """What the service wrote before refusing is gone; the refusal record stays."""

    @audit_refusals(operation="test.half_done")
    @transaction.atomic
    def half_done_service(*, actor):
        record(actor=actor, action=Action.UPDATED, entity_type="x.y", entity_id=1)
        raise DomainError.permission_denied()

    # The outer atomic block stands for the admin's change form around the service.
    with transaction.atomic(), pytest.raises(DomainError):
        half_done_service(actor=actors.staf_kecamatan)

    assert [(e.action, e.changes["operation"]) for e in log.new()] == [
        (Action.PERMISSION_DENIED, "test.half_done")
    ]


@pytest.mark.parametrize("code", [Code.INVALID, Code.NOT_FOUND, Code.CONFLICT, "duplicate"])
def test_errors_that_are_not_refusals_are_not_recorded(actors, log, code):
    with pytest.raises(DomainError), refusals_recorded(actor=actors.lurah):
        raise DomainError(code, "no")
    assert log.new() == []


def test_a_door_records_its_own_refusal(actors, log):
    with pytest.raises(DomainError), refusals_recorded(actor=actors.camat, operation="admin.view"):
        raise DomainError(Code.OUT_OF_SCOPE, "outside")
    (event,) = log.new()
    assert event.changes == {
        "operation": "admin.view",
        "code": "out_of_scope",
        "message": "outside",
    }


def test_record_refusal_takes_the_region_of_its_target(actors, population, log):
    resident = population.karang_jati.residents.first()
    record_refusal(actor=actors.lurah, instance=resident, operation="graphql.residentUpdate")
    (event,) = log.new()
    assert (event.entity_type, event.rt_id) == ("population.resident", resident.rt_id)


def test_audit_event_count_is_unchanged_by_a_rolled_back_service(actors, population):
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError):
        population_services().resident_update(
            actor=actors.lurah,
            resident=population.rt1.residents.first(),
            birth_date=date(2999, 1, 1),
        )
    assert AuditEvent.objects.count() == before
