"""Kelurahan offices keep their RT list through ``backend.wilayah.services``."""

from __future__ import annotations

import pytest

from backend.audit.models import Action, AuditEvent
from backend.wilayah.models import RT
from tests.admin.conftest import admin_url

pytestmark = pytest.mark.django_db


def _rt_form(rt: RT, **overrides) -> dict:
    data = {
        "number": rt.number,
        "ketua_name": rt.ketua_name,
        "is_active": "on" if rt.is_active else "",
        "valid_from": "",
        "valid_until": "",
        "_save": "Simpan",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k in ("ketua_name",)}


def test_a_lurah_adds_an_rt_to_their_kelurahan_with_an_audit_event(client, actors, regions):
    client.force_login(actors.lurah)
    response = client.post(
        admin_url("wilayah_rt_add"),
        {
            "kelurahan": regions.karang_rejo.pk,
            "number": 88,
            "ketua_name": "Pak Contoh",
            "is_active": "on",
            "_save": "Simpan",
        },
    )
    assert response.status_code == 302
    rt = RT.objects.get(kelurahan=regions.karang_rejo, number=88)
    assert rt.code == "64.71.04.1003.088"
    assert rt.is_synthetic is False
    event = AuditEvent.objects.get(action=Action.CREATED, entity_type="wilayah.rt")
    assert event.actor_id == actors.lurah.pk
    assert event.kelurahan_id == regions.karang_rejo.pk


def test_a_lurah_cannot_add_an_rt_to_another_kelurahan(client, actors, regions):
    client.force_login(actors.lurah)
    response = client.post(
        admin_url("wilayah_rt_add"),
        {"kelurahan": regions.karang_jati.pk, "number": 99, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "kelurahan" in response.context["adminform"].form.errors
    assert not RT.objects.filter(kelurahan=regions.karang_jati, number=99).exists()


def test_a_duplicate_rt_number_is_an_indonesian_field_error(client, actors, regions):
    client.force_login(actors.staf_kelurahan)
    response = client.post(
        admin_url("wilayah_rt_add"),
        {"kelurahan": regions.karang_rejo.pk, "number": 5, "is_active": "on"},
    )
    errors = response.context["adminform"].form.errors
    assert "RT 005 sudah ada di kelurahan ini." in errors["number"]
    assert not AuditEvent.objects.exists()


def test_freezing_and_renumbering_an_rt_keeps_its_row_and_moves_its_code(client, actors, regions):
    client.force_login(actors.lurah)
    rt = regions.rt(regions.karang_rejo, 87)
    response = client.post(
        admin_url("wilayah_rt_change", rt.pk), _rt_form(rt, number=90, is_active="")
    )
    assert response.status_code == 302
    rt.refresh_from_db()
    assert (rt.number, rt.code, rt.is_active) == (90, "64.71.04.1003.090", False)
    event = AuditEvent.objects.get(action=Action.UPDATED, entity_type="wilayah.rt")
    assert set(event.changes) == {"number", "code", "is_active"}


def test_an_rt_cannot_move_to_another_kelurahan_through_the_form(client, actors, regions):
    client.force_login(actors.admin_kota)
    rt = regions.rt(regions.karang_rejo, 3)
    client.post(
        admin_url("wilayah_rt_change", rt.pk),
        {**_rt_form(rt), "kelurahan": regions.karang_jati.pk},
    )
    rt.refresh_from_db()
    assert rt.kelurahan_id == regions.karang_rejo.pk


@pytest.mark.parametrize("who", ["camat", "staf_kecamatan", "ketua_rt_1"])
def test_roles_without_region_change_only_view_rts(client, actors, regions, who):
    client.force_login(getattr(actors, who))
    rt = regions.rt(regions.karang_rejo, 1)
    page = client.get(admin_url("wilayah_rt_change", rt.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = client.post(admin_url("wilayah_rt_change", rt.pk), _rt_form(rt, ketua_name="X"))
    assert response.status_code == 403
    rt.refresh_from_db()
    assert rt.ketua_name == ""


def test_a_lurah_of_another_kelurahan_cannot_open_or_change_the_rt(client, actors, regions):
    client.force_login(actors.lurah_karang_jati)
    rt = regions.rt(regions.karang_rejo, 1)
    assert client.get(admin_url("wilayah_rt_change", rt.pk)).status_code == 302
    client.post(admin_url("wilayah_rt_change", rt.pk), _rt_form(rt, ketua_name="X"))
    rt.refresh_from_db()
    assert rt.ketua_name == ""


@pytest.mark.parametrize("who", ["lurah", "admin_kota"])
def test_nobody_deletes_an_rt(client, actors, regions, who):
    client.force_login(getattr(actors, who))
    rt = regions.rt(regions.karang_rejo, 2)
    response = client.post(admin_url("wilayah_rt_delete", rt.pk), {"post": "yes"})
    assert response.status_code == 403
    assert RT.objects.filter(pk=rt.pk).exists()


def test_rt_search_understands_numbers_and_kelurahan_names(client, actors, regions):
    client.force_login(actors.camat)
    response = client.get(admin_url("wilayah_rt_changelist", query="q=karang rejo 5"))
    assert [rt.code for rt in response.context["cl"].result_list] == ["64.71.04.1003.005"]
    response = client.get(admin_url("wilayah_rt_changelist", query="q=RT 001"))
    codes = {rt.code for rt in response.context["cl"].result_list}
    assert codes == {"64.71.04.1003.001", "64.71.04.1004.001"}  # Sepinggan is not theirs
