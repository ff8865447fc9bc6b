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
