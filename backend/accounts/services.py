"""API tokens for the phone app: issue (after a throttled login), use, revoke.

Only a SHA-256 hash of a token is stored; the raw key is shown once. Login
goes through ``django.contrib.auth.authenticate`` with the request, so
django-axes throttles password guessing here exactly as on the admin login.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import ApiToken, User
from backend.audit.models import Action
from backend.audit.services import actor_region, record
from backend.audit.signals import record_login
from backend.common.errors import Code, DomainError

TOKEN_PREFIX = "lrt_"  # noqa: S105 (a public marker, not a secret)
_LAST_USED_GRANULARITY = timedelta(minutes=5)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_issue(*, user: User, device_name: str) -> tuple[ApiToken, str]:
    """Create a token for one device; returns it with the raw key (shown once)."""
    device_name = (device_name or "").strip()[:100]
    if not device_name:
        raise DomainError(Code.REQUIRED, _("The device name is required."), field="device_name")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    days = settings.LAPOR_RT["API_TOKEN_DAYS"]
    # One token per device: a new login on the same device replaces the old token.
    now = timezone.now()
    region = _region_of(user)
    for old in ApiToken.objects.filter(user=user, name=device_name, revoked_at__isnull=True):
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        record(actor=user, action=Action.TOKEN_REVOKED, instance=old, note="replaced", **region)
    token = ApiToken.objects.create(
        user=user,
        name=device_name,
        prefix=prefix,
        key_hash=_hash(raw),
        expires_at=now + timedelta(days=days),
    )
    record(actor=user, action=Action.TOKEN_CREATED, instance=token, **region)
    return token, raw


def _region_of(user: User) -> dict:
    """The region of the token's owner, so their Lurah sees their devices in the trail."""
    return dict(zip(("rt", "kelurahan", "kecamatan"), actor_region(user), strict=True))


def token_login(*, request, username: str, password: str, device_name: str) -> tuple[ApiToken, str]:
    """Exchange a username and password for a device token (throttled by django-axes).

    Records ``logged_in`` with the new token; a failed attempt is recorded as
    ``login_failed`` or ``locked_out`` by ``backend.audit.signals``.
    """
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise DomainError(
                "locked_out",
                _("Too many failed logins. Try again later or contact the kelurahan."),
            )
        raise DomainError(
            "invalid_credentials", _("The username or password is wrong."), field="password"
        )
    if not user.is_active:
        raise DomainError("invalid_credentials", _("The username or password is wrong."))
    with transaction.atomic():
        issued = token_issue(user=user, device_name=device_name)
        record_login(user, note="api token")
    return issued


def token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None when it is unknown, expired or revoked."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner may, and so may a superuser."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise DomainError.not_found(field="token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, action=Action.TOKEN_REVOKED, instance=token, **_region_of(token.user))
    return token
