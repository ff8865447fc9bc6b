"""Scoped reads of accounts: the users, role assignments and API tokens an actor manages.

A superuser manages everyone. A holder of ``Cap.ACCOUNT_MANAGE`` (the city
administrator) manages the non-superusers whose every role assignment lies
inside their kota; a user with no role yet counts as inside.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.accounts.models import ApiToken, RoleAssignment, User
from backend.accounts.roles import Cap


def _managed_kota_ids(actor) -> set[int]:
    regions = actor.scope.grants.get(Cap.ACCOUNT_MANAGE)
    return set(regions.kota) if regions else set()


def _assignment_inside(kota_ids: set[int]) -> Q:
    ids = sorted(kota_ids)
    return (
        Q(rt__kelurahan__kecamatan__kota__in=ids)
        | Q(kelurahan__kecamatan__kota__in=ids)
        | Q(kecamatan__kota__in=ids)
        | Q(kota__in=ids)
    )


def user_list(*, actor) -> QuerySet[User]:
    if actor.scope.is_superuser:
        return User.objects.all()
    kota_ids = _managed_kota_ids(actor)
    if not kota_ids:
        return User.objects.none()
    outside = RoleAssignment.objects.exclude(_assignment_inside(kota_ids)).values("user_id")
    return User.objects.filter(is_superuser=False).exclude(pk__in=outside)


def can_manage_user(*, actor, user: User) -> bool:
    return user_list(actor=actor).filter(pk=user.pk).exists()


def role_assignment_list(*, actor) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user__in=user_list(actor=actor))


def api_token_list(*, actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user__in=user_list(actor=actor))
