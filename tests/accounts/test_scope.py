"""The Scope: which regions and rows each role may read and change."""

from __future__ import annotations

import pytest

from backend.accounts.roles import Cap, Level
from backend.accounts.scope import Scope
from backend.population.models import Resident
from backend.wilayah.models import RT, Kecamatan, Kelurahan


def test_ketua_rt_sees_the_path_to_their_rt_and_only_their_rt(actors, regions):
    scope = actors.ketua_rt_1.scope
    assert list(Kecamatan.objects.filter(scope.region_q(Level.KECAMATAN))) == [regions.tengah]
    assert list(Kelurahan.objects.filter(scope.region_q(Level.KELURAHAN))) == [regions.karang_rejo]
    assert list(RT.objects.filter(scope.region_q(Level.RT)).values_list("number", flat=True)) == [1]


def test_lurah_sees_every_rt_of_the_kelurahan_and_no_other(actors, regions):
    rts = RT.objects.filter(actors.lurah.scope.region_q(Level.RT))
    assert rts.count() == 87
    assert set(rts.values_list("kelurahan", flat=True)) == {regions.karang_rejo.pk}


def test_camat_sees_every_kelurahan_of_the_kecamatan(actors, regions):
    kelurahan = Kelurahan.objects.filter(actors.camat.scope.region_q(Level.KELURAHAN))
    assert set(kelurahan) == {regions.karang_rejo, regions.karang_jati} | set(
        Kelurahan.objects.filter(kecamatan=regions.tengah)
    )
    assert regions.sepinggan not in kelurahan


@pytest.mark.parametrize(
    ("role", "cap", "expected"),
    [
        ("ketua_rt_1", Cap.POPULATION_VIEW, True),
        ("ketua_rt_1", Cap.POPULATION_CHANGE, False),
        ("ketua_rt_1", Cap.REPORT_SUBMIT, True),
        ("ketua_rt_2", Cap.POPULATION_VIEW, False),
        ("lurah", Cap.POPULATION_CHANGE, True),
        ("lurah", Cap.POPULATION_VIEW_NIK, True),
        ("camat", Cap.POPULATION_VIEW, True),
        ("camat", Cap.POPULATION_CHANGE, False),
        ("camat", Cap.POPULATION_VIEW_NIK, False),
        ("camat_selatan", Cap.POPULATION_VIEW, False),
        ("admin_kota", Cap.POPULATION_CHANGE, True),
        ("no_role", Cap.POPULATION_VIEW, False),
    ],
)
def test_capabilities_over_karang_rejo_rt_001(actors, regions, role, cap, expected):
    rt = regions.rt(regions.karang_rejo, 1)
    assert getattr(actors, role).scope.can(cap, rt) is expected


def test_empty_scope_filters_to_nothing_without_a_query(population, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Scope().filter(Resident.objects.all(), Cap.POPULATION_VIEW)) == []


def test_inactive_assignment_grants_nothing(actors, population):
    actors.lurah.role_assignments.update(is_active=False)
    actors.lurah.__dict__.pop("_scope", None)
    assert not actors.lurah.scope.has(Cap.POPULATION_VIEW)


def test_superuser_sees_everything(population, django_user_model):
    root = django_user_model.objects.create_superuser("ops", password="x")
    assert Resident.objects.filter(root.scope.rt_q(Cap.POPULATION_VIEW)).count() == 12
