"""The admin's doors, for every role: no row outside the user's scope is seen or changed.

Each test runs once per role (``ROLES``) against the four households of the
``population`` fixture and compares what the admin shows or writes with the
``VISIBLE`` / ``WRITABLE`` tables in ``conftest.py``.
"""

from __future__ import annotations

import pytest

from admin_config.filters import ScopedRelatedFilter
from backend.accounts.roles import Cap
from backend.audit.models import Action, AuditEvent
from backend.population.models import Household, Resident
from backend.wilayah.models import RT, Kelurahan
from tests.admin.conftest import (
    ALL,
    REVEALABLE,
    ROLES,
    VISIBLE,
    WRITABLE,
    admin_url,
    head_of,
    household_form_data,
    households,
    is_login_redirect,
    population_panel,
    resident_form_data,
    user_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=ROLES)
def role(request) -> str:
    return request.param


@pytest.fixture
def signed_in(client, actors, role):
    client.force_login(user_for(actors, role))
    return client


def _names_in(response, candidates) -> set[str]:
    html = response.content.decode()
    return {key for key, name in candidates.items() if name in html}


# -- changelists -------------------------------------------------------------------


def test_resident_changelist_lists_only_residents_in_scope(signed_in, role, population):
    heads = {key: head_of(hh).name for key, hh in households(population).items()}
    response = signed_in.get(admin_url("population_resident_changelist"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    assert response.status_code == 200
    assert _names_in(response, heads) == VISIBLE[role]
    assert response.context["cl"].result_count == 3 * len(VISIBLE[role])
    assert response.context["cl"].full_result_count == 3 * len(VISIBLE[role])


def test_household_changelist_lists_only_households_in_scope(signed_in, role, population):
    response = signed_in.get(admin_url("population_household_changelist"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    shown = {hh.pk for hh in response.context["cl"].result_list}
    assert shown == {hh.pk for key, hh in households(population).items() if key in VISIBLE[role]}


def test_filtering_by_an_rt_outside_scope_shows_nothing(signed_in, role, population):
    sepinggan_rt = population.sepinggan.rt_id
    response = signed_in.get(
        admin_url("population_resident_changelist", query=f"rt__id__exact={sepinggan_rt}")
    )
    if role == "no_role":
        assert is_login_redirect(response)
        return
    expected = 3 if "sepinggan" in VISIBLE[role] else 0
    assert response.context["cl"].result_count == expected


# -- detail (change view GET) ----------------------------------------------------------


@pytest.mark.parametrize("target", sorted(ALL))
def test_resident_detail_opens_only_in_scope(signed_in, role, population, target):
    resident = head_of(getattr(population, target))
    response = signed_in.get(admin_url("population_resident_change", resident.pk))
    if role == "no_role":
        assert is_login_redirect(response)
    elif target in VISIBLE[role]:
        assert response.status_code == 200
        assert resident.name in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == admin_url("index")
        assert resident.name not in response.content.decode()


def test_household_detail_opens_only_in_scope(signed_in, role, population):
    for key, household in households(population).items():
        response = signed_in.get(admin_url("population_household_change", household.pk))
        if role == "no_role":
            assert is_login_redirect(response)
        elif key in VISIBLE[role]:
            assert response.status_code == 200
            assert head_of(household).name in response.content.decode()
        else:
            assert response.status_code == 302, key
            assert head_of(household).name not in response.content.decode()


# -- change (POST) -------------------------------------------------------------------------


def test_change_post_writes_only_where_the_role_may_change(signed_in, role, population):
    for key, household in households(population).items():
        resident = head_of(household)
        response = signed_in.post(
            admin_url("population_resident_change", resident.pk),
            resident_form_data(resident, name="Nama Baru Uji"),
        )
        resident.refresh_from_db()
        if key in WRITABLE[role]:
            assert response.status_code == 302, response.content.decode()[:2000]
            assert resident.name == "Nama Baru Uji"
        else:
            assert resident.name != "Nama Baru Uji", key
            if role == "no_role":
                assert is_login_redirect(response)
            elif key in VISIBLE[role]:
                assert response.status_code == 403
            else:
                assert response.status_code == 302
                assert response["Location"] == admin_url("index")


def test_household_change_post_writes_only_where_allowed(signed_in, role, population):
    for key, household in households(population).items():
        signed_in.post(
            admin_url("population_household_change", household.pk),
            household_form_data(household, address="Jl. Baru Uji"),
        )
        household.refresh_from_db()
        assert (household.address == "Jl. Baru Uji") == (key in WRITABLE[role]), key


# -- add -----------------------------------------------------------------------------------


def test_add_page_opens_only_for_roles_that_change_population(signed_in, role):
    response = signed_in.get(admin_url("population_resident_add"))
    if role == "no_role":
        assert is_login_redirect(response)
    elif WRITABLE[role]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_add_post_creates_residents_only_in_writable_rts(signed_in, role, population):
    for key, household in households(population).items():
        template = head_of(household)
        data = resident_form_data(
            template,
            name=f"Warga Tambahan {key}",
            relationship=4,
            birth_date="02-01-2019",
            _save="Simpan",
        )
        response = signed_in.post(admin_url("population_resident_add"), data)
        created = Resident.objects.filter(name=f"Warga Tambahan {key}").exists()
        assert created == (key in WRITABLE[role]), key
        if not created and WRITABLE[role]:
            # The KK outside the user's scope is not even a valid choice.
            assert response.status_code == 200
            assert "household" in response.context["adminform"].form.errors


# -- delete --------------------------------------------------------------------------------


def test_delete_removes_only_where_the_role_may_change(signed_in, role, population):
    for key, household in households(population).items():
        resident = household.residents.order_by("-pk").first()  # a child, not the head
        signed_in.post(admin_url("population_resident_delete", resident.pk), {"post": "yes"})
        still_there = Resident.objects.filter(pk=resident.pk).exists()
        assert still_there == (key not in WRITABLE[role]), key


def test_bulk_delete_action_removes_only_writable_rows(signed_in, role, population):
    children = [hh.residents.order_by("-pk").first() for hh in households(population).values()]
    signed_in.post(
        admin_url("population_resident_changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [r.pk for r in children],
        },
    )
    remaining = set(
        Resident.objects.filter(pk__in=[r.pk for r in children]).values_list("pk", flat=True)
    )
    for key, child in zip(sorted(ALL), children, strict=True):
        assert (child.pk in remaining) == (key not in WRITABLE[role]), key


# -- search -------------------------------------------------------------------------------


def test_search_by_full_nik_finds_only_residents_whose_nik_the_role_may_see(
    signed_in, role, population
):
    # An exact NIK search would confirm a guessed birth date behind the mask: it matches
    # only in RTs where the role may see NIKs (as GraphQL's nik filter), nothing elsewhere.
    for key, household in households(population).items():
        resident = head_of(household)
        response = signed_in.get(
            admin_url("population_resident_changelist", query=f"q={resident.nik}")
        )
        if role == "no_role":
            assert is_login_redirect(response)
            continue
        found = [r.pk for r in response.context["cl"].result_list]
        assert found == ([resident.pk] if key in REVEALABLE[role] else []), key


def test_search_by_full_kk_number_finds_only_households_whose_number_the_role_may_see(
    signed_in, role, population
):
    for key, household in households(population).items():
        response = signed_in.get(
            admin_url("population_household_changelist", query=f"q={household.no_kk}")
        )
        if role == "no_role":
            assert is_login_redirect(response)
            continue
        found = [h.pk for h in response.context["cl"].result_list]
        assert found == ([household.pk] if key in REVEALABLE[role] else []), key


def test_search_by_a_members_nik_finds_households_only_where_the_nik_may_be_seen(
    signed_in, role, population
):
    for key, household in households(population).items():
        member = head_of(household)
        response = signed_in.get(
            admin_url("population_household_changelist", query=f"q={member.nik}")
        )
        if role == "no_role":
            assert is_login_redirect(response)
            continue
        found = [h.pk for h in response.context["cl"].result_list]
        assert found == ([household.pk] if key in REVEALABLE[role] else []), key


def test_search_by_name_finds_only_residents_in_scope(signed_in, role, population):
    response = signed_in.get(admin_url("population_resident_changelist", query="q=Warga Uji"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    households_found = {r.household_id for r in response.context["cl"].result_list}
    expected = {hh.pk for key, hh in households(population).items() if key in VISIBLE[role]}
    assert households_found == expected


# -- autocomplete -----------------------------------------------------------------------


def _autocomplete(client, term=""):
    return client.get(
        admin_url("autocomplete"),
        {
            "app_label": "population",
            "model_name": "resident",
            "field_name": "household",
            "term": term,
        },
    )


def test_household_autocomplete_offers_only_households_the_role_may_write_to(
    signed_in, role, population
):
    response = _autocomplete(signed_in)
    if role == "no_role":
        assert is_login_redirect(response)
        return
    assert response.status_code == 200
    offered = {int(item["id"]) for item in response.json()["results"]}
    expected = {hh.pk for key, hh in households(population).items() if key in WRITABLE[role]}
    assert offered == expected
    # Labels carry the masked KK number only.
    for item in response.json()["results"]:
        assert "******" in item["text"]


def test_autocomplete_search_by_full_kk_stays_in_scope(signed_in, role, population):
    for key, household in households(population).items():
        response = _autocomplete(signed_in, household.no_kk)
        if role == "no_role":
            assert is_login_redirect(response)
            continue
        offered = [int(item["id"]) for item in response.json()["results"]]
        assert offered == ([household.pk] if key in WRITABLE[role] else []), key


def test_rt_autocomplete_on_the_resident_form_offers_only_writable_rts(
    signed_in, role, actors, regions
):
    response = signed_in.get(
        admin_url("autocomplete"),
        {"app_label": "population", "model_name": "resident", "field_name": "rt", "term": "1"},
    )
    if role == "no_role":
        assert is_login_redirect(response)
        return
    offered = {int(item["id"]) for item in response.json()["results"]}
    writable_rts = {
        "staf_kelurahan": {regions.rt(regions.karang_rejo, 1).pk},
        "lurah": {regions.rt(regions.karang_rejo, 1).pk},
        "admin_kota": {
            regions.rt(kel, 1).pk
            for kel in (regions.karang_rejo, regions.karang_jati, regions.sepinggan)
        },
    }.get(role, set())
    assert offered == writable_rts


# -- list-filter choices --------------------------------------------------------------------


def _filter_choices(response, field_path: str) -> set[int]:
    """The choices of the changelist's filter on ``field_path``, shown or not (Django
    hides a filter with a single choice, e.g. a Ketua RT's only RT)."""
    cl = response.context["cl"]
    for spec in cl.filter_specs:
        if getattr(spec, "field_path", None) == field_path:
            return {int(pk) for pk, _label in spec.lookup_choices}
    model, field = cl.model, None
    for part in field_path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model
    spec = ScopedRelatedFilter(
        field, response.wsgi_request, {}, cl.model, cl.model_admin, field_path
    )
    assert not spec.has_output()  # hidden only because there is nothing to choose
    return {int(pk) for pk, _label in spec.lookup_choices}


def test_rt_filter_lists_only_rts_in_scope(signed_in, role, actors, regions):
    response = signed_in.get(admin_url("population_resident_changelist"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    user = user_for(actors, role)
    in_scope = set(
        user.scope.filter(RT.objects.all(), Cap.POPULATION_VIEW, path="").values_list(
            "pk", flat=True
        )
    )
    choices = _filter_choices(response, "rt")
    assert choices == in_scope
    expected_kelurahan = {
        "ketua_rt": {regions.karang_rejo.pk},
        "staf_kelurahan": {regions.karang_rejo.pk},
        "lurah": {regions.karang_rejo.pk},
        "staf_kecamatan": set(regions.tengah.kelurahan.values_list("pk", flat=True)),
        "camat": set(regions.tengah.kelurahan.values_list("pk", flat=True)),
        "admin_kota": set(
            Kelurahan.objects.filter(kecamatan__kota=regions.kota).values_list("pk", flat=True)
        ),
    }[role]
    assert _filter_choices(response, "rt__kelurahan") <= expected_kelurahan
    assert {RT.objects.get(pk=pk).kelurahan_id for pk in choices} <= expected_kelurahan


def test_household_filter_choices_stay_in_scope(signed_in, role, population):
    response = signed_in.get(admin_url("population_household_changelist"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    rts = _filter_choices(response, "rt")
    for key, household in households(population).items():
        assert (household.rt_id in rts) == (key in VISIBLE[role]), key


# -- dashboard -------------------------------------------------------------------------


def test_dashboard_counts_only_the_roles_region(signed_in, role, population):
    response = signed_in.get(admin_url("index"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    panel = population_panel(response)
    total = panel["total"]
    n = len(VISIBLE[role])
    # Each fixture household: a man (1975), a woman (1980), a girl (2010).
    assert total.permanent == 3 * n
    assert total.male == n
    assert total.female == 2 * n
    assert total.households == n
    assert total.non_permanent == 0
    assert sum(total.bands.values()) == 3 * n
    assert total.bands["5-14"] + total.bands["15-24"] == n


def test_dashboard_breakdown_is_one_level_below_the_role(signed_in, role, population, regions):
    response = signed_in.get(admin_url("index"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    summary = population_panel(response)["summary"]
    expected_level = {
        "ketua_rt": "rt",
        "staf_kelurahan": "rt",
        "lurah": "rt",
        "staf_kecamatan": "kelurahan",
        "camat": "kelurahan",
        "admin_kota": "kecamatan",
    }[role]
    assert summary.level == expected_level
    if role in ("camat", "staf_kecamatan"):
        by_kelurahan = {row.region_id: row.figures for row in summary.rows}
        assert by_kelurahan[regions.karang_rejo.pk].permanent == 6
        assert by_kelurahan[regions.karang_jati.pk].permanent == 3
        assert regions.sepinggan.pk not in by_kelurahan
    if role == "ketua_rt":
        assert [row.figures.rts for row in summary.rows] == [1]


# -- region pages ------------------------------------------------------------------------


def test_kelurahan_list_counts_only_what_the_role_sees(signed_in, role, population, regions):
    response = signed_in.get(admin_url("wilayah_kelurahan_changelist"))
    if role == "no_role":
        assert is_login_redirect(response)
        return
    rows = {k.pk: k for k in response.context["cl"].result_list}
    karang_rejo = rows[regions.karang_rejo.pk]
    expected_residents = 3 * len(VISIBLE[role] & {"rt1", "rt2"})
    assert karang_rejo.n_residents == expected_residents
    assert karang_rejo.n_households == len(VISIBLE[role] & {"rt1", "rt2"})
    assert karang_rejo.n_rts == (1 if role == "ketua_rt" else 87)
    assert (regions.sepinggan.pk in rows) == ("sepinggan" in VISIBLE[role])


def test_rt_detail_outside_scope_redirects(signed_in, role, regions):
    other = regions.rt(regions.sepinggan, 1)
    response = signed_in.get(admin_url("wilayah_rt_change", other.pk))
    if role == "no_role":
        assert is_login_redirect(response)
    elif role == "admin_kota":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == admin_url("index")


def test_only_kelurahan_offices_and_the_city_add_rts(signed_in, role, regions):
    response = signed_in.post(
        admin_url("wilayah_rt_add"),
        {"kelurahan": regions.karang_rejo.pk, "number": 88, "ketua_name": "", "is_active": "on"},
    )
    created = RT.objects.filter(kelurahan=regions.karang_rejo, number=88).exists()
    assert created == (role in ("staf_kelurahan", "lurah", "admin_kota"))
    if created:
        assert AuditEvent.objects.filter(action=Action.CREATED, entity_type="wilayah.rt").exists()
    elif role != "no_role":
        assert response.status_code == 403


# -- two Ketua RT --------------------------------------------------------------------------


def test_two_ketua_rt_never_see_each_others_residents(client, actors, population):
    mine, theirs = head_of(population.rt1), head_of(population.rt2)
    client.force_login(actors.ketua_rt_1)
    listing = client.get(admin_url("population_resident_changelist")).content.decode()
    assert mine.name in listing and theirs.name not in listing
    assert client.get(admin_url("population_resident_change", theirs.pk)).status_code == 302
    found = client.get(admin_url("population_resident_changelist", query=f"q={theirs.nik}"))
    assert list(found.context["cl"].result_list) == []
    dashboard = population_panel(client.get(admin_url("index")))
    assert dashboard["total"].permanent == 3

    client.force_login(actors.ketua_rt_2)
    listing = client.get(admin_url("population_resident_changelist")).content.decode()
    assert theirs.name in listing and mine.name not in listing
    assert client.get(admin_url("population_resident_change", mine.pk)).status_code == 302
    households_page = client.get(admin_url("population_household_changelist"))
    assert [h.pk for h in households_page.context["cl"].result_list] == [population.rt2.pk]
    assert not Household.objects.filter(pk=population.rt1.pk, address__contains="Baru").exists()
