"""Bahasa Indonesia by default, English when the user picks it; times in WITA."""

from __future__ import annotations

import pytest

from tests.admin.conftest import admin_url, head_of, population_panel

pytestmark = pytest.mark.django_db


def test_the_admin_speaks_indonesian_by_default(client, actors, population):
    client.force_login(actors.lurah)
    html = client.get(admin_url("population_resident_changelist")).content.decode()
    assert "Kartu Keluarga (KK)" in html
    assert "NIK atau nomor KK lengkap 16 digit, atau nama." in html
    assert 'lang="id"' in html


def test_english_when_the_user_picked_it(client, actors, population):
    actors.lurah.language = "en"
    actors.lurah.save(update_fields=["language"])
    client.force_login(actors.lurah)
    html = client.get(admin_url("population_resident_changelist")).content.decode()
    assert "Family cards (KK)" in html
    assert "Full 16-digit NIK or KK number, or a name." in html
    assert "Kartu Keluarga (KK)" not in html


def test_the_language_switcher_keeps_the_choice_on_the_account(client, actors, population):
    client.force_login(actors.camat)
    response = client.post(admin_url("set_language"), {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    actors.camat.refresh_from_db()
    assert actors.camat.language == "en"
    assert "Permanent residents" in client.get(admin_url("index")).content.decode()

    client.post(admin_url("set_language"), {"language": "id", "next": "/admin/"})
    actors.camat.refresh_from_db()
    assert actors.camat.language == "id"
    assert "Penduduk tetap" in client.get(admin_url("index")).content.decode()


def test_the_language_switcher_ignores_unknown_languages(client, actors):
    client.force_login(actors.camat)
    client.post(admin_url("set_language"), {"language": "xx", "next": "/admin/"})
    actors.camat.refresh_from_db()
    assert actors.camat.language == "id"


def test_the_language_switcher_answers_only_post(client, actors):
    client.force_login(actors.camat)
    assert client.get(admin_url("set_language")).status_code == 405


def test_service_errors_follow_the_users_language(client, actors, population):
    actors.lurah.language = "en"
    actors.lurah.save(update_fields=["language"])
    client.force_login(actors.lurah)
    resident = head_of(population.rt1)
    from tests.admin.conftest import resident_form_data

    response = client.post(
        admin_url("population_resident_change", resident.pk),
        resident_form_data(resident, new_nik="12345"),
    )
    errors = " ".join(response.context["adminform"].form.errors["new_nik"])
    assert "16 digits" in errors


def test_dashboard_times_are_wita(client, actors, population):
    client.force_login(actors.lurah)
    response = client.get(admin_url("index"))
    summary = population_panel(response)["summary"]
    assert summary.as_of.utcoffset().total_seconds() == 8 * 3600
    assert "WITA" in response.content.decode()


def test_the_login_page_is_indonesian_and_works_signed_out(client):
    response = client.get(admin_url("login"))
    assert response.status_code == 200
    assert "Masuk" in response.content.decode()
