"""Death reports: the checks, the refusals, and what approval changes in the population."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.audit.models import Action, AuditEvent
from backend.common.errors import DomainError
from backend.population import codes
from backend.population.models import Household, Resident
from backend.population.selectors import living_permanent
from backend.reports import services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.conftest import make_household
from tests.reports.conftest import death, save, today


def _members(household):
    rel = codes.Relationship
    by_rel = {r.relationship: r for r in household.residents.all()}
    return by_rel[rel.HEAD], by_rel[rel.WIFE], by_rel[rel.CHILD]


def _married(*residents):
    Resident.objects.filter(pk__in=[r.pk for r in residents]).update(
        marital_status=codes.MaritalStatus.MARRIED
    )


def test_approved_death_of_the_head_marks_him_deceased_widows_his_wife_and_flags_the_kk(
    actors, population
):
    head, wife, child = _members(population.rt1)
    _married(head, wife)
    living_before = living_permanent(Resident.objects.filter(rt=head.rt)).count()

    report = save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    assert report.state == State.SUBMITTED
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.ALIVE  # not before approval

    services.report_approve(actor=actors.staf_kelurahan, report=report)

    head = Resident.objects.get(pk=head.pk)
    assert head.status == codes.LifeStatus.DECEASED
    assert head.status_date == report.deathdetail.death_date
    assert living_permanent(Resident.objects.filter(rt=head.rt)).count() == living_before - 1
    assert Resident.objects.get(pk=wife.pk).marital_status == codes.MaritalStatus.WIDOWED
    assert Resident.objects.get(pk=child.pk).marital_status == codes.MaritalStatus.SINGLE
    household = Household.objects.get(pk=population.rt1.pk)
    assert household.needs_update is True
    assert "kepala keluarga" in household.needs_update_reason.lower()
    # Each change is in the audit trail, tied to the report.
    resident_events = AuditEvent.objects.filter(
        entity_type="population.resident", action=Action.UPDATED, note=report.label
    )
    assert set(resident_events.values_list("entity_id", flat=True)) == {str(head.pk), str(wife.pk)}
    assert AuditEvent.objects.filter(
        entity_type="population.household", entity_id=str(household.pk), note=report.label
    ).exists()


def test_death_of_a_wife_widows_the_head_and_flags_the_kk_without_naming_a_new_head(
    actors, population
):
    head, wife, _child = _members(population.rt1)
    _married(head, wife)
    report = save(actors.ketua_rt_1, Kind.DEATH, death(wife)).report
    services.report_approve(actor=actors.lurah, report=report)
    assert Resident.objects.get(pk=head.pk).marital_status == codes.MaritalStatus.WIDOWED
    household = Household.objects.get(pk=population.rt1.pk)
    assert household.needs_update and "anggota" in household.needs_update_reason.lower()


def test_a_rejected_death_report_changes_nothing_and_a_new_one_can_follow(actors, population):
    head, *_ = _members(population.rt1)
    report = save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.DEATH, death(head))
    assert exc.value.code == "death_report_pending"

    services.report_reject(actor=actors.staf_kelurahan, report=report, reason="Tanggal salah")
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.ALIVE
    again = save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    services.report_approve(actor=actors.staf_kelurahan, report=again)
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.DECEASED


def test_death_report_for_someone_already_deceased_is_refused(actors, population):
    _head, _wife, child = _members(population.rt1)
    Resident.objects.filter(pk=child.pk).update(
        status=codes.LifeStatus.DECEASED, status_date=today() - timedelta(days=100)
    )
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.DEATH, death(child))
    assert (exc.value.code, exc.value.field) == ("resident_already_deceased", "resident")
    assert "sudah tercatat meninggal" in str(exc.value.message)


def test_death_dated_in_the_future_is_refused(actors, population):
    head, *_ = _members(population.rt1)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.DEATH, death(head, death_date=today() + timedelta(days=1)))
    assert (exc.value.code, exc.value.field) == ("date_in_future", "death_date")


def test_resident_of_another_rt_is_not_found_for_a_ketua_rt(actors, population):
    other_head, *_ = _members(population.rt2)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.DEATH, death(other_head))
    assert (exc.value.code, exc.value.field) == ("not_found", "resident")
    sepinggan = population.sepinggan.residents.first()
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.DEATH,
            {**death(sepinggan), "resident_id": None, "resident_nik": sepinggan.nik},
        )
    assert exc.value.code == "not_found"
    assert not Report.objects.exists()


def test_resident_outside_the_reports_rt_is_refused(actors, regions, kr):
    from backend.accounts.roles import Role
    from tests.conftest import assign

    assign(actors.ketua_rt_1, Role.KETUA_RT, kr.rt2)  # now Ketua of RT 001 and RT 002
    ketua = type(actors.ketua_rt_1).objects.get(pk=actors.ketua_rt_1.pk)
    in_rt2 = make_household(kr.rt2).residents.first()
    with pytest.raises(DomainError) as exc:
        save(ketua, Kind.DEATH, death(in_rt2), rt=kr.rt1)
    assert (exc.value.code, exc.value.field) == ("resident_outside_rt", "resident")


def test_death_by_nik_and_the_required_fields_come_back_per_field(actors, population):
    head, *_ = _members(population.rt1)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.DEATH, {"resident_nik": head.nik})
    fields = {p.field for p in exc.value.problems}
    assert {"death_date", "place", "informant_name", "informant_relationship"} <= fields
    report = save(
        actors.ketua_rt_1,
        Kind.DEATH,
        {**death(head), "resident_id": None, "resident_nik": head.nik},
    ).report
    assert report.deathdetail.resident == head


def test_approval_refuses_when_the_resident_died_meanwhile(actors, population):
    head, *_ = _members(population.rt1)
    report = save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    Resident.objects.filter(pk=head.pk).update(
        status=codes.LifeStatus.DECEASED, status_date=today()
    )
    with pytest.raises(DomainError) as exc:
        services.report_approve(actor=actors.staf_kelurahan, report=report)
    assert exc.value.code == "resident_already_deceased"
    assert Report.objects.get(pk=report.pk).state == State.SUBMITTED  # nothing half-done
    assert not AuditEvent.objects.filter(action=Action.APPROVED).exists()


def test_late_death_report_is_accepted_with_a_warning(actors, population):
    head, *_ = _members(population.rt1)
    result = save(actors.ketua_rt_1, Kind.DEATH, death(head, death_date=today() - timedelta(40)))
    assert [w.code for w in result.warnings] == ["late_death_report"]


def test_death_approval_page_lists_the_effects_and_links_to_the_resident(actors, population):
    from django.urls import reverse

    from tests.reports.test_admin import action_url, client_for

    household = population.rt1
    Resident.objects.filter(household=household).update(marital_status=codes.MaritalStatus.MARRIED)
    head = household.residents.get(relationship=codes.Relationship.HEAD)
    wife = household.residents.get(relationship=codes.Relationship.WIFE)
    report = save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    html = client_for(actors.staf_kelurahan).get(action_url(report, "approve_detail")).content
    html = html.decode()
    effects = html[html.index('id="approval-effects"') :][:3000]
    died = report.deathdetail.death_date
    assert f"{head.name} akan dicatat meninggal dunia sejak {died.day}" in effects
    assert reverse("admin:population_resident_change", args=[head.pk]) in effects
    assert f"{wife.name}, pasangan yang ditinggalkan, akan dicatat cerai mati." in effects
    assert "ditandai perlu diperbarui: kepala keluarga meninggal" in effects
    assert reverse("admin:population_household_change", args=[household.pk]) in effects
    # Nothing changed yet.
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.ALIVE


def test_approval_page_of_a_members_death_says_the_kk_is_reissued_without_them(actors, population):
    from tests.reports.test_admin import action_url, client_for

    child = population.rt1.residents.filter(relationship=codes.Relationship.CHILD).first()
    report = save(actors.ketua_rt_1, Kind.DEATH, death(child)).report
    html = client_for(actors.lurah).get(action_url(report, "approve_detail")).content.decode()
    assert "diterbitkan ulang tanpa almarhum/almarhumah" in html
    assert "cerai mati" not in html


def test_a_ketua_rt_cannot_learn_a_birth_date_by_trying_death_dates(actors, population):
    """The Ketua RT never sees birth dates (they give away the NIK): a death dated before
    the birth is not refused for them by save, so no answer tells the date; the
    kelurahan's approval, by someone who may see it, refuses it."""
    head, _wife, child = _members(population.rt1)
    before_birth = child.birth_date - timedelta(days=1)
    report = save(actors.ketua_rt_1, Kind.DEATH, death(child, death_date=before_birth)).report
    after_birth = save(
        actors.ketua_rt_1, Kind.DEATH, death(head, death_date=head.birth_date + timedelta(days=1))
    ).report
    assert report.state == after_birth.state == State.SUBMITTED  # the same answer either way
    with pytest.raises(DomainError) as exc:
        services.report_approve(actor=actors.staf_kelurahan, report=report)
    assert exc.value.field == "death_date"
    assert Resident.objects.get(pk=child.pk).status == codes.LifeStatus.ALIVE
