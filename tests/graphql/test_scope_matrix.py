"""Every GraphQL door shows each role only its own region (issue 2 permission matrix)."""

from __future__ import annotations

import pytest

from backend.accounts.roles import Cap
from backend.population.models import Resident

# Which fixture households each role may see (see tests/conftest.py `population`).
VISIBLE = {
    "ketua_rt_1": {"rt1"},
    "ketua_rt_2": {"rt2"},
    "staf_kelurahan": {"rt1", "rt2"},
    "lurah": {"rt1", "rt2"},
    "staf_kecamatan": {"rt1", "rt2", "karang_jati"},
    "camat": {"rt1", "rt2", "karang_jati"},
    "admin_kota": {"rt1", "rt2", "karang_jati", "sepinggan"},
    "lurah_karang_jati": {"karang_jati"},
    "camat_selatan": {"sepinggan"},
    "no_role": set(),
}
ALL = ("rt1", "rt2", "karang_jati", "sepinggan")
ROLES = list(VISIBLE)

RESIDENTS = """
query { residents(pagination: {limit: 500}) { totalCount results { id name } } }
"""
HOUSEHOLDS = """
query { households { totalCount results { id rt { code } } } }
"""
NESTED = """
query {
  kecamatanList { code kelurahan { code rts { code households { id residents { id } } } } }
}
"""
KELURAHAN_NESTED = """
query($code: String!) {
  kelurahan(code: $code) { code rts { code households { id residents { id } } } }
}
"""
RT_BY_CODE = """
query($code: String!) { rt(code: $code) { code households { id } } }
"""
RESIDENT_BY_ID = """
query($id: ID!) { resident(id: $id) { id name } }
"""
HOUSEHOLD_BY_KK = """
query($noKk: String!) { household(noKk: $noKk) { id } }
"""
STATS = """
query($code: String) { populationStats(regionCode: $code) { living households } }
"""
NESTED_STATS = """
query($code: String!) {
  kelurahan(code: $code) {
    populationStats { living households }
    rts { code populationStats { living } }
  }
}
"""


def _ids(population, names):
    return {getattr(population, n).pk for n in names}


def _resident_ids(population, names):
    return set(
        Resident.objects.filter(household__in=[getattr(population, n) for n in names]).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.parametrize("role", ROLES)
def test_resident_list_shows_only_the_roles_region(gql, actors, population, role):
    data = gql(getattr(actors, role)).execute(RESIDENTS)["data"]["residents"]
    got = {int(r["id"]) for r in data["results"]}
    assert got == _resident_ids(population, VISIBLE[role])
    assert data["totalCount"] == len(got)


@pytest.mark.parametrize("role", ROLES)
def test_household_list_shows_only_the_roles_region(gql, actors, population, role):
    data = gql(getattr(actors, role)).execute(HOUSEHOLDS)["data"]["households"]
    assert {int(h["id"]) for h in data["results"]} == _ids(population, VISIBLE[role])


@pytest.mark.parametrize("role", ROLES)
def test_nested_tree_shows_only_the_roles_region_at_every_level(gql, actors, population, role):
    result = gql(getattr(actors, role)).execute(NESTED)
    households, residents = set(), set()
    for kec in result["data"]["kecamatanList"]:
        for kel in kec["kelurahan"]:
            for rt in kel["rts"]:
                for h in rt["households"]:
                    households.add(int(h["id"]))
                    residents |= {int(r["id"]) for r in h["residents"]}
    assert households == _ids(population, VISIBLE[role])
    assert residents == _resident_ids(population, VISIBLE[role])


def test_two_ketua_rt_never_see_each_other_through_the_kelurahan(gql, actors, population, regions):
    for actor, own, other in (
        (actors.ketua_rt_1, "001", "002"),
        (actors.ketua_rt_2, "002", "001"),
    ):
        data = gql(actor).execute(KELURAHAN_NESTED, {"code": regions.karang_rejo.code})["data"]
        codes = [rt["code"] for rt in data["kelurahan"]["rts"]]
        assert codes == [f"{regions.karang_rejo.code}.{own}"]
        other_rt = gql(actor).execute(RT_BY_CODE, {"code": f"{regions.karang_rejo.code}.{other}"})
        assert other_rt["data"]["rt"] is None


@pytest.mark.parametrize("role", ROLES)
def test_lookup_by_code_or_id_outside_scope_is_null(gql, actors, population, role):
    actor = getattr(actors, role)
    client = gql(actor)
    for name in ALL:
        household = getattr(population, name)
        resident = household.residents.first()
        visible = name in VISIBLE[role]
        rt = client.execute(RT_BY_CODE, {"code": household.rt.code})["data"]["rt"]
        by_id = client.execute(RESIDENT_BY_ID, {"id": resident.pk})["data"]["resident"]
        by_kk = client.execute(HOUSEHOLD_BY_KK, {"noKk": household.no_kk})["data"]["household"]
        assert (by_id is not None) is visible, name
        # By KK number only where the number itself may be seen (no guessing masked digits).
        kk_visible = visible and actor.scope.can(Cap.POPULATION_VIEW_NIK, household.rt)
        assert (by_kk is not None) is kk_visible, name
        if visible:
            assert {int(h["id"]) for h in rt["households"]} == {household.pk}
        else:
            assert rt is None or rt["households"] == []


@pytest.mark.parametrize("role", ROLES)
def test_aggregates_count_only_the_roles_region(gql, actors, population, role):
    client = gql(getattr(actors, role))
    whole = client.execute(STATS, {"code": None})["data"]["populationStats"]
    expected = _resident_ids(population, VISIBLE[role])
    assert whole == {"living": len(expected), "households": len(VISIBLE[role])}
    # Asking for a region by code never counts rows outside the scope.
    kr = client.execute(STATS, {"code": "64.71.04.1003"})["data"]["populationStats"]
    kr_visible = VISIBLE[role] & {"rt1", "rt2"}
    if not kr_visible:
        assert kr is None  # outside this role's regions: no figure rather than a 0
        return
    assert kr == {
        "living": len(_resident_ids(population, kr_visible)),
        "households": len(kr_visible),
    }


def test_kelurahan_aggregate_seen_by_a_ketua_rt_counts_only_their_rt(gql, actors, population):
    data = gql(actors.ketua_rt_1).execute(NESTED_STATS, {"code": "64.71.04.1003"})["data"]
    kelurahan = data["kelurahan"]
    own = population.rt1.residents.count()
    assert kelurahan["populationStats"] == {"living": own, "households": 1}
    assert [rt["populationStats"]["living"] for rt in kelurahan["rts"]] == [own]


def test_anonymous_caller_is_refused_with_an_indonesian_message(gql, population):
    result = gql().execute(RESIDENTS)
    assert result["data"] is None
    error = result["errors"][0]
    assert error["extensions"]["code"] == "unauthenticated"
    assert "token API" in error["message"]
