"""Each role reads the audit of its own region only; NIK/KK masked for roles that may not."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from backend.audit.display import EventPresenter
from backend.audit.models import Action
from backend.audit.selectors import audit_get, audit_history, audit_list
from backend.audit.services import record
from backend.common.errors import DomainError


@pytest.fixture
def trail(actors, population, regions):
    """One event per region, plus one without a region."""

    def at(household, note):
        resident = household.residents.order_by("pk").first()
        return record(
            actor=actors.admin_kota,
            action=Action.UPDATED,
            instance=resident,
            changes={"nik": [resident.nik, resident.nik[:-1] + "9"], "sex": [1, 2]},
            rt=household.rt,
            note=note,
        )

    return {
        "kr_rt1": at(population.rt1, "kr_rt1"),
        "kr_rt2": at(population.rt2, "kr_rt2"),
        "karang_jati": at(population.karang_jati, "karang_jati"),
        "sepinggan": at(population.sepinggan, "sepinggan"),
        "no_region": record(actor=None, action=Action.LOGIN_FAILED, note="no_region"),
    }


def _seen(actor) -> set[str]:
    return set(audit_list(actor=actor).values_list("note", flat=True))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("ketua_rt_1", set()),
        ("no_role", set()),
        ("staf_kelurahan", {"kr_rt1", "kr_rt2"}),
        ("lurah", {"kr_rt1", "kr_rt2"}),
        ("lurah_karang_jati", {"karang_jati"}),
        ("staf_kecamatan", {"kr_rt1", "kr_rt2", "karang_jati"}),
        ("camat", {"kr_rt1", "kr_rt2", "karang_jati"}),
        ("camat_selatan", {"sepinggan"}),
        ("admin_kota", {"kr_rt1", "kr_rt2", "karang_jati", "sepinggan", "no_region"}),
    ],
)
def test_each_role_reads_the_audit_of_its_own_region(actors, trail, role, expected):
    assert _seen(getattr(actors, role)) == expected


def test_superuser_reads_everything(trail):
    root = get_user_model().objects.create_superuser("root", "r@example.invalid", "x")
    assert len(_seen(root)) == 5


def test_an_event_outside_the_scope_is_not_found(actors, trail):
    with pytest.raises(DomainError) as caught:
        audit_get(actor=actors.lurah, pk=trail["sepinggan"].pk)
    assert caught.value.code == "not_found"


def test_record_history_is_scoped_too(actors, trail):
    event = trail["karang_jati"]
    history = audit_history(
        actor=actors.lurah, entity_type=event.entity_type, entity_id=event.entity_id
    )
    assert list(history) == []
    assert list(
        audit_history(actor=actors.camat, entity_type=event.entity_type, entity_id=event.entity_id)
    ) == [event]


def _nik_row(viewer, event):
    with translation.override("id"):
        rows = {r.name: r for r in EventPresenter(viewer).change_rows(event)}
    return rows["nik"], rows["sex"]


def test_nik_in_the_trail_is_masked_for_kelurahan_staff_until_revealed(actors, trail):
    event = trail["kr_rt1"]
    nik, sex = _nik_row(actors.staf_kelurahan, event)
    raw = event.changes["nik"][0]
    assert nik.before == f"{raw[:6]}********{raw[-4:]}"
    assert (nik.label, sex.label, sex.before, sex.after) == (
        "NIK",
        "Jenis kelamin",
        "Laki-laki",
        "Perempuan",
    )
    revealing = EventPresenter(actors.staf_kelurahan, reveal=True)
    assert revealing.may_reveal(event)
    assert {r.name: r for r in revealing.change_rows(event)}["nik"].before == raw


@pytest.mark.parametrize("role", ["camat", "staf_kecamatan", "lurah_karang_jati"])
def test_a_revealing_presenter_still_masks_for_roles_without_nik_rights(actors, trail, role):
    event = trail["kr_rt1"]
    presenter = EventPresenter(getattr(actors, role), reveal=True)
    assert not presenter.may_reveal(event)
    rows = {r.name: r for r in presenter.change_rows(event)}
    assert event.changes["nik"][0] not in (rows["nik"].before, rows["nik"].after)


@pytest.mark.parametrize("role", ["camat", "staf_kecamatan", "lurah_karang_jati"])
def test_nik_in_the_trail_is_masked_for_roles_that_may_not_see_it(actors, trail, role):
    event = trail["kr_rt1"]
    nik, _sex = _nik_row(getattr(actors, role), event)
    raw = event.changes["nik"][0]
    assert nik.before == f"{raw[:6]}********{raw[-4:]}"
    assert raw not in (nik.before, nik.after)


def test_numbers_typed_into_export_filters_are_masked_too(actors, regions):
    from backend.audit.services import record_export

    nik = "6471041705750001"
    event = record_export(
        actor=actors.lurah, entity_type="audit.auditevent", rows=1, file_format="csv",
        filters={"q": nik},
    )  # fmt: skip
    with translation.override("id"):
        camat_rows = {r.name: r.after for r in EventPresenter(actors.camat).change_rows(event)}
        lurah_rows = {r.name: r.after for r in EventPresenter(actors.lurah).change_rows(event)}
    assert nik not in camat_rows["filters"] and "647104********0001" in camat_rows["filters"]
    assert nik not in lurah_rows["filters"] and "647104********0001" in lurah_rows["filters"]
    with translation.override("id"):
        revealed = EventPresenter(actors.lurah, reveal=True).change_rows(event)
    assert nik in {r.name: r.after for r in revealed}["filters"]
