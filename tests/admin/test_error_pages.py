"""Error pages (403, 404, 500, CSRF) in the user's language, with a way back, never a trace."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from backend.config import urls as project_urls
from tests.admin.conftest import admin_url

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("secret internals: Traceback of the failing view")


def _forbidden(request):
    raise PermissionDenied("English reason from the code")


# A URLconf of the project's routes plus two views that fail, for these tests only.
urlpatterns = [
    path("uji/boom/", _boom),
    path("uji/forbidden/", _forbidden),
    path("", include(project_urls.urlpatterns)),
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

ENGLISH_DJANGO = ("Traceback", "Not Found", "Forbidden", "Server Error", "CSRF verification")


def _assert_error_page(response, status: int, *phrases: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    for phrase in phrases:
        assert phrase in html, phrase
    for english in ENGLISH_DJANGO:
        assert english not in html, english
    assert f'href="{admin_url("index")}"' in html
    assert "unfold/css/styles.css" in html  # the admin's stylesheet
    return html


@override_settings(DEBUG=False)
def test_an_unknown_page_is_a_404_in_indonesian(client):
    response = client.get("/halaman-yang-tidak-ada/")
    html = _assert_error_page(response, 404, "Halaman tidak ditemukan", "Kembali ke dasbor")
    assert 'lang="id"' in html


@override_settings(DEBUG=False)
def test_an_unknown_admin_page_of_a_signed_in_user_is_a_404_in_indonesian(client, actors):
    client.force_login(actors.lurah)
    response = client.get("/admin/population/tidak-ada/")
    _assert_error_page(response, 404, "Halaman tidak ditemukan")


@override_settings(DEBUG=False)
def test_the_404_page_is_english_when_the_user_chose_english(client, actors):
    actors.lurah.language = "en"
    actors.lurah.save(update_fields=["language"])
    client.force_login(actors.lurah)
    response = client.get("/halaman-yang-tidak-ada/")
    _assert_error_page(response, 404, "Page not found", "Back to the dashboard")
    assert "Halaman tidak ditemukan" not in response.content.decode()


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_refused_page_is_a_403_in_indonesian_without_the_internal_reason(client, actors):
    client.force_login(actors.ketua_rt_1)
    html = _assert_error_page(client.get("/uji/forbidden/"), 403, "Akses ditolak")
    assert "English reason from the code" not in html


@override_settings(DEBUG=False)
def test_an_admin_page_outside_the_role_is_a_403_in_indonesian(client, actors):
    client.force_login(actors.camat)
    response = client.get(admin_url("imports_importjob_add"))
    _assert_error_page(response, 403, "Akses ditolak")


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_server_error_is_a_500_in_indonesian_without_a_stack_trace(actors):
    client = Client(raise_request_exception=False)
    client.force_login(actors.lurah)
    html = _assert_error_page(client.get("/uji/boom/"), 500, "Terjadi kesalahan pada server")
    assert "secret internals" not in html
    assert "RuntimeError" not in html


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_the_500_page_is_english_when_the_user_chose_english(actors):
    actors.lurah.language = "en"
    actors.lurah.save(update_fields=["language"])
    client = Client(raise_request_exception=False)
    client.force_login(actors.lurah)
    _assert_error_page(client.get("/uji/boom/"), 500, "Something went wrong on the server")


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_csrf_token_is_a_403_in_indonesian(actors):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.lurah)
    response = client.post(admin_url("set_language"), {"language": "en"})
    _assert_error_page(response, 403, "Formulir kedaluwarsa", "muat ulang")
    actors.lurah.refresh_from_db()
    assert actors.lurah.language == "id"


@override_settings(DEBUG=False)
def test_the_login_form_sent_without_its_csrf_token_is_a_403_in_indonesian(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(admin_url("login"), {"username": "x", "password": "y"})
    _assert_error_page(response, 403, "Formulir kedaluwarsa")


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_the_500_page_renders_even_when_the_admin_context_fails(actors, monkeypatch):
    from django.contrib import admin

    def broken(request):
        raise RuntimeError("database unreachable")

    client = Client(raise_request_exception=False)
    client.force_login(actors.lurah)
    monkeypatch.setattr(admin.site, "each_context", broken)
    _assert_error_page(client.get("/uji/boom/"), 500, "Terjadi kesalahan pada server")


@override_settings(DEBUG=False)
def test_a_refused_url_filter_is_a_400_in_indonesian(client, actors):
    client.force_login(actors.lurah)
    response = client.get("/admin/population/resident/?birth_date__gte=2026-11-29")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Permintaan tidak dapat diproses" in body and "Bad Request" not in body


def test_the_favicon_is_the_products_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("admin_config/favicon.svg")
