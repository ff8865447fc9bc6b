"""User, role and token services for the account pages: who may manage whom."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from backend.accounts.roles import Role
from backend.accounts.selectors import user_list
from backend.accounts.services import role_assign, token_issue, token_revoke, user_update
from backend.common.errors import DomainError

pytestmark = pytest.mark.django_db


def test_only_the_city_administrator_and_superusers_manage_accounts(actors):
    assert set(user_list(actor=actors.lurah)) == set()
    managed = set(user_list(actor=actors.admin_kota))
    assert actors.lurah in managed and actors.ketua_rt_1 in managed
    root = User.objects.create_superuser("akar", password="x-Y-z-12345")
    assert root not in set(user_list(actor=actors.admin_kota))
    assert root in set(user_list(actor=root))


def test_a_lurah_cannot_give_roles(actors, regions):
    with pytest.raises(DomainError):
        role_assign(
            actor=actors.lurah,
            user=actors.no_role,
            role=Role.KETUA_RT,
            rt=regions.rt(regions.karang_rejo, 9),
        )
    assert not actors.no_role.role_assignments.exists()


def test_a_role_must_name_a_region_of_its_level(actors, regions):
    with pytest.raises(DomainError) as exc:
        role_assign(actor=actors.admin_kota, user=actors.no_role, role=Role.CAMAT)
    assert exc.value.field == "kecamatan"


def test_the_same_active_role_twice_is_refused(actors, regions):
    with pytest.raises(DomainError) as exc:
        role_assign(
            actor=actors.admin_kota,
            user=actors.lurah,
            role=Role.LURAH,
            kelurahan=regions.karang_rejo,
        )
    assert exc.value.field == "role"


def test_the_city_administrator_revokes_a_phone_token_but_a_lurah_cannot(actors):
    token, _raw = token_issue(user=actors.ketua_rt_1, device_name="HP")
    with pytest.raises(DomainError):
        token_revoke(actor=actors.lurah, token=token)
    token_revoke(actor=actors.admin_kota, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_superuser_status_is_not_a_field_the_services_change(actors):
    with pytest.raises(TypeError):
        user_update(actor=actors.admin_kota, user=actors.lurah, is_superuser=True)


def _answers(raw: str) -> bool:
    from django.test import Client

    response = Client().post(
        "/graphql/",
        '{"query": "{ me { username } }"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    return (response.json().get("data") or {}).get("me") is not None


def test_changing_ones_own_password_in_the_admin_revokes_every_phone_token(actors, client):
    from backend.accounts.models import ApiToken
    from backend.audit.models import Action, AuditEvent

    user = actors.ketua_rt_1
    user.set_password("sandi-Lama-2026")
    user.save()
    _token, raw = token_issue(user=user, device_name="HP yang hilang")
    assert _answers(raw)
    client.force_login(user)
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": "sandi-Lama-2026",
            "new_password1": "sandi-Baru-2026!",
            "new_password2": "sandi-Baru-2026!",
        },
    )
    assert response.status_code == 302, response.content[:300]
    user.refresh_from_db()
    assert user.check_password("sandi-Baru-2026!")
    assert not _answers(raw)
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    actions = list(
        AuditEvent.objects.filter(actor=user).order_by("seq").values_list("action", flat=True)
    )
    assert actions[-2:] == [Action.UPDATED, Action.TOKEN_REVOKED]


def test_a_password_set_by_the_city_administrator_revokes_the_users_tokens(actors):
    from backend.accounts.services import user_set_password

    _token, raw = token_issue(user=actors.ketua_rt_2, device_name="HP")
    user_set_password(actor=actors.admin_kota, user=actors.ketua_rt_2, password="sandi-Baru-2026!")
    assert not _answers(raw)
