"""The admin's login and lockout pages: correct Indonesian, and how long a lock lasts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from backend.accounts.lockout import duration_in_words
from tests.admin.conftest import admin_url, text_of

pytestmark = pytest.mark.django_db


def _fail_login(client, username: str, times: int = 1):
    response = None
    for _ in range(times):
        response = client.post(admin_url("login"), {"username": username, "password": "salah"})
    return response


def test_a_wrong_password_says_so_once_in_correct_indonesian(client, actors):
    text = " ".join(text_of(_fail_login(client, actors.lurah.username)).split())

    assert "Masukkan nama pengguna dan kata sandi yang benar untuk akun staf." in text
    assert "nama pengguna nama pengguna" not in text.lower()
    assert "Perbaiki kesalahan di bawah ini." in text
    assert "dibawah" not in text


def test_form_errors_elsewhere_in_the_admin_write_di_bawah_apart(client, actors):
    client.force_login(actors.lurah)
    text = text_of(client.post(admin_url("population_resident_add"), {}))
    assert "Perbaiki kesalahan di bawah ini." in text
    assert "dibawah" not in text


def test_the_lockout_page_is_indonesian_styled_like_the_login_and_says_how_long(client, actors):
    response = _fail_login(client, actors.lurah.username, settings.AXES_FAILURE_LIMIT)
    html = response.content.decode()
    text = " ".join(text_of(response).split())

    assert response.status_code == 429
    assert "Login dikunci" in text
    assert "Login dikunci selama 15 menit " in text
    assert "unfold/css/styles.css" in html and 'lang="id"' in html
    assert f'href="{admin_url("login")}"' in html


@override_settings(AXES_COOLOFF_TIME=1.5)
def test_the_lockout_page_follows_the_cool_off_setting(client, actors):
    response = _fail_login(client, actors.lurah.username, settings.AXES_FAILURE_LIMIT)
    assert "Login dikunci selama 1 jam 30 menit " in " ".join(text_of(response).split())


def test_the_lockout_page_is_english_for_a_browser_set_to_english(client, actors):
    response = None
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            admin_url("login"),
            {"username": actors.lurah.username, "password": "salah"},
            headers={"accept-language": "en"},
        )
    text = " ".join(text_of(response).split())
    assert "The login is locked for 15 minutes " in text


@pytest.mark.parametrize(
    ("delta", "indonesian", "english"),
    [
        (timedelta(minutes=15), "15 menit", "15 minutes"),
        (timedelta(hours=1), "1 jam", "1 hour"),
        (timedelta(hours=2, minutes=30), "2 jam 30 menit", "2 hours 30 minutes"),
        (timedelta(days=1, minutes=1), "1 hari 1 menit", "1 day 1 minute"),
        (timedelta(seconds=10), "1 menit", "1 minute"),
    ],
)
def test_a_lock_duration_is_written_in_words(delta, indonesian, english):
    with translation.override("id"):
        assert duration_in_words(delta) == indonesian
    with translation.override("en"):
        assert duration_in_words(delta) == english


def test_the_password_pages_say_kata_sandi_like_the_login(client, actors):
    client.force_login(actors.lurah)
    text = " ".join(text_of(client.get(admin_url("password_change"))).split())
    assert "Ganti kata sandi" in text and "Kata sandi lama" in text
    assert not re.search(r"(?<!kata )\bsandi\b", text, re.IGNORECASE)


def test_the_action_button_is_an_order_jalankan(client, actors):
    client.force_login(actors.lurah)
    html = client.get("/admin/population/resident/").content.decode()
    assert "Jalankan" in html and "Berjalan" not in html
