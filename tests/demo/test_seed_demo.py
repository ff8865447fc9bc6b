"""The demo population: valid NIK and KK numbers, one living head, believable families."""

from collections import Counter
from datetime import date

import pytest
from django.db.models import Count, Q

from backend.audit.models import Action, AuditEvent
from backend.population import demo
from backend.population.codes import (
    Education,
    LifeStatus,
    MaritalStatus,
    Occupation,
    Relationship,
    Residency,
)
from backend.population.demo import tables
from backend.population.demo.families import add_years, age_on
from backend.population.identity import NikCode, kk_errors, nik_errors, nik_warnings
from backend.population.models import Household, Resident
from backend.wilayah.selectors import known_kecamatan_prefixes
from tests.demo.conftest import SMALL

REFERENCE = demo.REFERENCE_DATE


def test_every_nik_is_valid_and_matches_sex_and_birth_date(demo_data):
    prefixes = known_kecamatan_prefixes()
    residents = list(Resident.objects.all())
    with_nik = [r for r in residents if r.nik]

    for r in with_nik:
        assert nik_errors(r.nik) == [], r.nik
        warnings = nik_warnings(
            r.nik, sex=r.sex, birth_date=r.birth_date, known_kecamatan_prefixes=prefixes
        )
        assert {w.code for w in warnings} <= {NikCode.OLD_KECAMATAN}, r.nik

    by_prefix = Counter(r.nik[:6] for r in with_nik)
    assert by_prefix[tables.HOME_PREFIX] > len(with_nik) * 0.6
    assert any(not p.startswith("6471") for p in by_prefix)  # issued in another kota
    assert by_prefix[tables.OLD_PREFIX] > 0


def test_only_babies_have_no_nik_and_none_is_made_up(demo_data):
    without = Resident.objects.filter(nik__isnull=True)

    assert without.exists()
    for r in without:
        assert (REFERENCE - r.birth_date).days < 180
    assert not Resident.objects.filter(nik="").exists()


def test_every_household_has_exactly_one_living_head(demo_data):
    heads = Household.objects.annotate(
        living_heads=Count(
            "residents",
            filter=Q(residents__relationship=Relationship.HEAD, residents__status=LifeStatus.ALIVE),
        )
    )

    assert heads.exists()
    assert set(heads.values_list("living_heads", flat=True)) == {1}


def test_kk_numbers_are_recorded_after_the_head_came_of_age(demo_data):
    for household in Household.objects.all():
        head = household.residents.get(relationship=Relationship.HEAD, status=LifeStatus.ALIVE)
        recorded = date(2000 + int(household.no_kk[10:12]), int(household.no_kk[8:10]),
                        int(household.no_kk[6:8]))  # fmt: skip

        assert kk_errors(household.no_kk, today=REFERENCE) == []
        assert household.no_kk.startswith(tables.HOME_PREFIX)
        assert add_years(head.birth_date, 17) <= recorded <= REFERENCE
        assert recorded <= household.issued_on <= REFERENCE


def test_counts_are_in_the_expected_range_at_a_small_scale(demo_data):
    kr_households = demo_data.by_kelurahan[tables.KARANG_REJO][0]

    assert kr_households == max(87, round(tables.KARANG_REJO_HOUSEHOLDS * SMALL))
    assert (
        Household.objects.filter(rt__kelurahan__code=tables.KARANG_REJO)
        .values("rt")
        .distinct()
        .count()
        == 87
    )
    for code in tables.OTHER_KELURAHAN:
        assert demo_data.by_kelurahan[code][0] >= 1
    assert 2.8 <= demo_data.residents / demo_data.households <= 4.0
    assert demo_data.households == Household.objects.count()
    assert demo_data.residents == Resident.objects.count()


def test_the_full_karang_rejo_plan_is_about_4500_households_over_87_varied_rts(tengah):
    import random

    plan = demo._plan(random.Random(1), [tables.KARANG_REJO], 1.0)
    sizes = [size for _, size in plan[0][1]]

    assert len(sizes) == 87
    assert sum(sizes) == 4500
    assert min(sizes) < 35 < 70 < max(sizes)


def test_statuses_and_residency_are_coherent(demo_data):
    for r in Resident.objects.exclude(status=LifeStatus.ALIVE):
        assert r.status in (LifeStatus.DECEASED, LifeStatus.MOVED)
        assert r.birth_date < r.status_date <= REFERENCE
        assert not r.ikd_activated
    boarders = Resident.objects.filter(residency=Residency.NON_PERMANENT)
    assert boarders.exists()
    assert not boarders.filter(household__isnull=False).exists()
    assert not boarders.filter(nik__startswith=tables.HOME_PREFIX).exists()
    for r in Resident.objects.filter(ikd_activated=True):
        assert r.nik and age_on(r.birth_date, r.ikd_activated_on) >= 17


def test_age_marital_status_education_and_occupation_agree(demo_data):
    for r in Resident.objects.all():
        age = age_on(r.birth_date, r.status_date or REFERENCE)
        if age < 17:
            assert r.marital_status == MaritalStatus.SINGLE
        if age < 7:
            assert r.education == Education.NONE
        if 5 <= age <= 18:
            assert r.occupation == Occupation.PELAJAR_MAHASISWA
        if r.marital_status == MaritalStatus.SINGLE:
            assert r.marriage_date is None
        else:
            assert r.marriage_date and age_on(r.birth_date, r.marriage_date) >= 18
        if r.occupation in (Occupation.GURU, Occupation.DOKTER, Occupation.DOSEN):
            assert r.education >= Education.S1


def test_spouses_share_one_wedding_day_and_children_come_after_it(demo_data):
    for household in Household.objects.prefetch_related("residents"):
        members = list(household.residents.all())
        head = next(m for m in members if m.relationship == Relationship.HEAD and m.is_alive)
        spouses = [m for m in members if m.relationship in (Relationship.WIFE,
                                                            Relationship.HUSBAND)]  # fmt: skip
        for spouse in spouses:
            assert spouse.marriage_date == head.marriage_date
        if head.marital_status == MaritalStatus.MARRIED:
            for child in (m for m in members if m.relationship == Relationship.CHILD):
                assert child.birth_date > head.marriage_date


def test_one_command_audit_event_per_created_household_and_resident(demo_data):
    events = AuditEvent.objects.filter(action=Action.CREATED, note=demo.AUDIT_NOTE)

    assert events.count() == demo_data.households + demo_data.residents == demo_data.audit_events
    assert set(events.values_list("door", flat=True)) == {"command"}
    resident = Resident.objects.order_by("pk").first()
    event = events.get(entity_type="population.resident", entity_id=str(resident.pk))
    assert event.snapshot["nik"] == resident.nik
    assert event.rt_id == resident.rt_id
    assert event.kecamatan_id == resident.rt.kelurahan.kecamatan_id


def test_seeding_twice_is_refused(demo_data):
    with pytest.raises(demo.DemoError):
        demo.seed_demo(scale=SMALL)
