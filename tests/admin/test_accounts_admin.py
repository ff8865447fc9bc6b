"""Account pages: superusers and the city administrator only, and only through services."""

from __future__ import annotations

import pytest

from backend.accounts.models import ApiToken, RoleAssignment, User
from backend.accounts.roles import Role
from backend.accounts.services import token_issue
from backend.audit.models import Action, AuditEvent
from tests.admin.conftest import ROLES, admin_url, is_login_redirect, user_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ("accounts_user", "accounts_roleassignment", "accounts_apitoken")


@pytest.fixture
def root(db):
    return User.objects.create_superuser("akar", password=PASSWORD)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_city_administrator_opens_the_account_pages(client, actors, role):
    client.force_login(user_for(actors, role))
    for page in PAGES:
        response = client.get(admin_url(f"{page}_changelist"))
        if role == "admin_kota":
            assert response.status_code == 200, page
        elif role == "no_role":
            assert is_login_redirect(response)
        else:
            assert response.status_code == 403, page
    if role not in ("admin_kota", "no_role"):
        sidebar = client.get(admin_url("index")).content.decode()
        assert admin_url("accounts_user_changelist") not in sidebar


def test_the_city_administrator_never_sees_a_superuser(client, actors, root):
    client.force_login(actors.admin_kota)
    listed = {
        u.pk for u in client.get(admin_url("accounts_user_changelist")).context["cl"].result_list
    }
    assert root.pk not in listed
    assert actors.lurah.pk in listed
    assert client.get(admin_url("accounts_user_change", root.pk)).status_code == 302
    client.post(
        admin_url("accounts_user_password", root.pk), {"password1": "x" * 12, "password2": "x" * 12}
    )
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_creating_an_account_goes_through_the_service_and_never_makes_a_superuser(client, actors):
    client.force_login(actors.admin_kota)
    response = client.post(
        admin_url("accounts_user_add"),
        {
            "username": "staf.baru",
            "password1": "Kata-Sandi-Panjang-88",
            "password2": "Kata-Sandi-Panjang-88",
            "first_name": "Staf",
            "last_name": "Baru",
            "language": "id",
            "is_superuser": "on",
            "_save": "Simpan",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="staf.baru")
    assert user.check_password("Kata-Sandi-Panjang-88")
    assert user.is_staff and not user.is_superuser
    event = AuditEvent.objects.get(action=Action.CREATED, entity_type="accounts.user")
    assert "password" not in event.changes
    assert "Kata-Sandi" not in str(event.changes)


def test_a_weak_password_is_refused_on_the_form(client, actors):
    client.force_login(actors.admin_kota)
    response = client.post(
        admin_url("accounts_user_add"),
        {"username": "lemah", "password1": "123", "password2": "123", "language": "id"},
    )
    assert response.status_code == 200
    assert "password1" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="lemah").exists()


def test_setting_a_password_is_audited_without_the_value(client, actors):
    client.force_login(actors.admin_kota)
    response = client.post(
        admin_url("accounts_user_password", actors.lurah.pk),
        {"password1": "Sandi-Baru-Lurah-77", "password2": "Sandi-Baru-Lurah-77"},
    )
    assert response.status_code == 302
    actors.lurah.refresh_from_db()
    assert actors.lurah.check_password("Sandi-Baru-Lurah-77")
    event = AuditEvent.objects.get(entity_type="accounts.user", action=Action.UPDATED)
    assert event.changes == {"password": ["*", "*"]}


def test_the_city_administrator_cannot_deactivate_their_own_account(client, actors):
    admin_kota = actors.admin_kota
    client.force_login(admin_kota)
    response = client.post(
        admin_url("accounts_user_change", admin_kota.pk),
        {"username": admin_kota.username, "language": "id", "is_staff": "on", "_save": "Simpan"},
    )
    assert response.status_code == 200
    admin_kota.refresh_from_db()
    assert admin_kota.is_active


def test_assigning_a_role_checks_the_level_and_records_it(client, actors, regions):
    client.force_login(actors.admin_kota)
    target = actors.no_role
    response = client.post(
        admin_url("accounts_roleassignment_add"),
        {"user": target.pk, "role": Role.LURAH, "kecamatan": regions.tengah.pk},
    )
    errors = response.context["adminform"].form.errors
    assert "kecamatan" in errors and "kelurahan" in errors
    assert not RoleAssignment.objects.filter(user=target).exists()

    response = client.post(
        admin_url("accounts_roleassignment_add"),
        {"user": target.pk, "role": Role.LURAH, "kelurahan": regions.karang_jati.pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target)
    assert assignment.kelurahan == regions.karang_jati
    assert AuditEvent.objects.filter(
        action=Action.CREATED, entity_type="accounts.roleassignment"
    ).exists()
    # The new Lurah now sees Karang Jati.
    client.force_login(target)
    assert client.get(admin_url("index")).status_code == 200


def test_ending_a_role_is_a_change_not_a_deletion(client, actors):
    client.force_login(actors.admin_kota)
    assignment = actors.camat.role_assignments.get()
    response = client.post(
        admin_url("accounts_roleassignment_change", assignment.pk), {"_save": "Simpan"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.is_active is False
    assert (
        client.post(
            admin_url("accounts_roleassignment_delete", assignment.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    # Without an active role the Camat can no longer enter the admin.
    client.force_login(actors.camat)
    assert is_login_redirect(client.get(admin_url("index")))


def test_revoking_a_token_goes_through_token_revoke(client, actors):
    token, _raw = token_issue(user=actors.ketua_rt_1, device_name="HP Android")
    client.force_login(actors.admin_kota)
    response = client.post(
        admin_url("accounts_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action=Action.TOKEN_REVOKED)
    assert event.actor_id == actors.admin_kota.pk
    assert event.door == "admin_action"


def test_token_pages_never_show_the_key_hash(client, actors):
    token, raw = token_issue(user=actors.lurah, device_name="HP Lurah")
    client.force_login(actors.admin_kota)
    html = client.get(admin_url("accounts_apitoken_change", token.pk)).content.decode()
    assert token.key_hash not in html and raw not in html
    response = client.get(
        admin_url(
            "accounts_apitoken_changelist", query=f"key_hash__startswith={token.key_hash[:4]}"
        )
    )
    assert response.status_code == 400
    assert ApiToken.objects.count() == 1


def test_a_superuser_manages_every_account(client, actors, root):
    client.force_login(root)
    listed = {
        u.pk for u in client.get(admin_url("accounts_user_changelist")).context["cl"].result_list
    }
    assert {root.pk, actors.lurah.pk, actors.admin_kota.pk} <= listed
