"""Who is asking: the actor behind a GraphQL request, and the authentication gate."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.accounts.scope import Scope


def actor_of(info: Info):
    """The user behind the request (session or API token); AnonymousUser when none."""
    return info.context.request.user


def scope_of(info: Info) -> Scope:
    user = actor_of(info)
    if user is None or not user.is_authenticated:
        return Scope()
    return user.scope


class IsAuthenticated(BasePermission):
    """Every field of the API needs a logged-in user (session) or a valid API token."""

    error_extensions = {"code": "unauthenticated"}

    @property
    def message(self) -> str:  # type: ignore[override]
        return str(_("Log in, or send a valid API token (Authorization: Bearer ...)."))

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user = actor_of(info)
        return bool(user and user.is_authenticated and user.is_active)
