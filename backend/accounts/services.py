"""Accounts: API tokens for the phone app, user accounts and role assignments.

Only a SHA-256 hash of a token is stored; the raw key is shown once. Login
goes through ``django.contrib.auth.authenticate`` with the request, so
django-axes throttles password guessing here exactly as on the admin login.

Users and role assignments are managed by superusers and by the city
administrator (``Cap.ACCOUNT_MANAGE``) for the accounts they manage
(``backend.accounts.selectors.user_list``). A role is never deleted, only
made inactive, so the trail of who held which region stays readable.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import ApiToken, RoleAssignment, User
from backend.accounts.roles import ROLE_LEVEL, Cap, Level, Role
from backend.accounts.selectors import can_manage_user
from backend.audit.models import Action
from backend.audit.services import diff, record, region_or_actors, snapshot
from backend.audit.signals import record_login
from backend.common.errors import Code, DomainError, Problem

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
    return region_or_actors(user)


def token_login(*, request, username: str, password: str, device_name: str) -> tuple[ApiToken, str]:
    """Exchange a username and password for a device token (throttled by django-axes).

    Records ``logged_in`` with the new token; a failed attempt is recorded as
    ``login_failed`` or ``locked_out`` by ``backend.audit.signals``.
    """
    if len(username or "") > User._meta.get_field("username").max_length:
        # Longer than any account can be: refuse before it reaches the login throttle's log.
        raise DomainError(
            "invalid_credentials", _("The username or password is wrong."), field="password"
        )
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


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token (with its user) behind a raw key, or None when it is unknown,
    expired or revoked, or its user is inactive."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
        # Bookkeeping, not a change of data: not audited.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner may, and so may whoever manages the owner's account."""
    if token.user_id != actor.pk and not can_manage_user(actor=actor, user=token.user):
        raise DomainError.not_found(field="token")
    if token.revoked_at is None:
        _revoke(actor, token)
    return token


def _revoke(actor: User, token: ApiToken, note: str = "") -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action=Action.TOKEN_REVOKED,
        instance=token,
        note=note,
        **_region_of(token.user),
    )


# -- user accounts and roles ---------------------------------------------------

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "language",
    "is_active",
    "is_staff",
)


def _require_manage(actor: User, user: User) -> None:
    if not can_manage_user(actor=actor, user=user):
        raise DomainError.not_found(field="user")


def _user_snapshot(user: User) -> dict:
    # Never the password hash.
    return snapshot(user, fields=USER_FIELDS)


def _password_problems(password: str, user: User) -> list[Problem]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [Problem(Code.INVALID, message, "password") for message in exc.messages]
    return []


def _user_problems(user: User) -> list[Problem]:
    problems = []
    try:
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems += [
            Problem(Code.INVALID, message, name)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    taken = User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists()
    if user.username and taken:
        problems.append(Problem(Code.DUPLICATE, _("This username is already taken."), "username"))
    return problems


@transaction.atomic
def user_create(*, actor: User, username: str, password: str, **fields) -> User:
    """Create a staff account (never a superuser); roles are given with ``role_assign``."""
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    if not actor.scope.has(Cap.ACCOUNT_MANAGE):
        raise DomainError.permission_denied()
    user = User(username=(username or "").strip(), **{"is_staff": True, **fields})
    problems = _user_problems(user) + _password_problems(password or "", user)
    if problems:
        raise DomainError.from_problems(problems)
    user.set_password(password)
    user.save()
    after = _user_snapshot(user)
    record(actor=actor, action=Action.CREATED, instance=user, changes=diff({}, after))
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **changes) -> User:
    """Change an account's details; nobody deactivates their own account."""
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    current = User.objects.select_for_update().get(pk=user.pk)
    _require_manage(actor, current)
    if current.pk == actor.pk and changes.get("is_active") is False:
        raise DomainError(
            Code.INVALID, _("You cannot deactivate your own account."), field="is_active"
        )
    before = _user_snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    problems = _user_problems(current)
    if problems:
        raise DomainError.from_problems(problems)
    current.save()
    changed = diff(before, _user_snapshot(current))
    if changed:
        record(actor=actor, action=Action.UPDATED, instance=current, changes=changed)
    user.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Set a new password for an account the actor manages (the value is never recorded)."""
    current = User.objects.select_for_update().get(pk=user.pk)
    _require_manage(actor, current)
    return _set_password(actor, user, current, password)


@transaction.atomic
def password_change_own(*, user: User, password: str) -> User:
    """A user's own new password (the old one checked by the door's form).

    Like ``user_set_password``, every API token of the account is revoked: a
    password changed because a phone was lost must also shut that phone out.
    """
    current = User.objects.select_for_update().get(pk=user.pk)
    return _set_password(current, user, current, password)


def _set_password(actor: User, user: User, current: User, password: str) -> User:
    """Check, set and record ``current``'s (locked) new password and revoke its tokens;
    the value is never recorded."""
    problems = _password_problems(password or "", current)
    if problems:
        raise DomainError.from_problems(problems)
    current.set_password(password)
    current.save(update_fields=["password"])
    record(actor=actor, action=Action.UPDATED, instance=current, changes={"password": ["*", "*"]})
    _revoke_all_tokens(actor=actor, user=current)
    user.__dict__.update(current.__dict__)
    return current


def _revoke_all_tokens(*, actor: User, user: User) -> None:
    tokens = ApiToken.objects.select_for_update().select_related("user")
    for token in tokens.filter(user=user, revoked_at__isnull=True):
        _revoke(actor, token, note="password changed")


def user_set_language(*, actor: User, language: str) -> User:
    """Keep the interface language the user picked (a preference: not audited)."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(Code.INVALID, _("Unknown language."), field="language")
    if actor.language != language:
        actor.language = language
        actor.save(update_fields=["language"])
    return actor


_REGION_FIELD = {
    Level.RT: "rt",
    Level.KELURAHAN: "kelurahan",
    Level.KECAMATAN: "kecamatan",
    Level.KOTA: "kota",
}


def _may_assign_in(actor: User, level: str, region) -> bool:
    scope = actor.scope
    if scope.is_superuser:
        return True
    cap = Cap.ACCOUNT_MANAGE
    if level == Level.RT:
        return scope.can(cap, region)
    if level == Level.KELURAHAN:
        return scope.can_in_kelurahan(cap, region)
    kota_ids = scope.grants.get(cap).kota if scope.grants.get(cap) else set()
    if level == Level.KECAMATAN:
        return region.kota_id in kota_ids
    return region.pk in kota_ids


@transaction.atomic
def role_assign(
    *, actor: User, user: User, role: str, rt=None, kelurahan=None, kecamatan=None, kota=None
) -> RoleAssignment:
    """Give ``user`` a role over one region of the role's level, inside the actor's region."""
    if user is None:
        raise DomainError(Code.REQUIRED, _("The user is required."), field="user")
    _require_manage(actor, user)
    if role not in Role.values:
        raise DomainError(Code.INVALID, _("Unknown role."), field="role")
    level = ROLE_LEVEL[role]
    regions = {"rt": rt, "kelurahan": kelurahan, "kecamatan": kecamatan, "kota": kota}
    wanted = _REGION_FIELD[level]
    region = regions[wanted]
    problems = [
        Problem(Code.INVALID, _("This role is not held over this kind of region."), name)
        for name, value in regions.items()
        if value is not None and name != wanted
    ]
    if region is None:
        problems.append(
            Problem(Code.REQUIRED, _("Choose the region this role is held over."), wanted)
        )
    elif not _may_assign_in(actor, level, region):
        problems.append(
            Problem(Code.OUT_OF_SCOPE, _("This region is outside your region."), wanted)
        )
    elif RoleAssignment.objects.filter(
        user=user, role=role, is_active=True, **{wanted: region}
    ).exists():
        problems.append(
            Problem(Code.DUPLICATE, _("The user already holds this role here."), "role")
        )
    if problems:
        raise DomainError.from_problems(problems)
    assignment = RoleAssignment.objects.create(user=user, role=role, **{wanted: region})
    after = snapshot(assignment)
    record(
        actor=actor,
        action=Action.CREATED,
        instance=assignment,
        changes=diff({}, after),
        snapshot=after,
        **_audit_region(assignment),
    )
    return assignment


@transaction.atomic
def role_update(*, actor: User, assignment: RoleAssignment, is_active: bool) -> RoleAssignment:
    """End (or restore) a role; roles are never deleted."""
    current = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    _require_manage(actor, current.user)
    if current.user_id == actor.pk and not is_active and not actor.is_superuser:
        raise DomainError(Code.INVALID, _("You cannot end your own role."), field="is_active")
    before = snapshot(current)
    current.is_active = bool(is_active)
    current.save(update_fields=["is_active"])
    changed = diff(before, snapshot(current))
    if changed:
        record(
            actor=actor,
            action=Action.UPDATED,
            instance=current,
            changes=changed,
            **_audit_region(current),
        )
    assignment.__dict__.update(current.__dict__)
    return current


def _audit_region(assignment: RoleAssignment) -> dict:
    return {
        "rt": assignment.rt,
        "kelurahan": assignment.kelurahan,
        "kecamatan": assignment.kecamatan,
    }
