"""Login events: logged in, login failed, locked out (django-axes).

``django.contrib.auth.authenticate`` sends ``user_login_failed`` for every
failed attempt, on the admin login and on the API token login alike, and
django-axes sends ``user_locked_out`` when it locks an account (and for every
attempt refused during the lockout). Each failed attempt gives exactly one
event: ``locked_out`` when axes refused or locked it, else ``login_failed``.
These events are written in their own small transaction: no rollback of the
refused request can take them away.

A successful admin login is recorded from ``user_logged_in``; the API token
login records its own ``logged_in`` (``backend.accounts.services``). A
``login()`` outside a real request (the test client's ``force_login``) is
not a login anybody made and is not recorded: real requests pass
``AuditContextMiddleware``, which marks them with ``request_id``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed

from backend.audit.models import Action
from backend.audit.services import actor_region, record

_LOCKED_FLAG = "_audit_locked_out_recorded"


def _attempted_user(username: str):
    if not username:
        return None
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


def _record_attempt(action: str, username: str, note: str = "") -> None:
    username = (username or "")[:150]
    target = _attempted_user(username)
    rt, kelurahan, kecamatan = actor_region(target)
    record(
        actor=None,
        actor_username=username,
        action=action,
        entity_type="accounts.user" if target is not None else "",
        entity_id=target.pk if target is not None else "",
        entity_label=f"user #{target.pk}" if target is not None else "",
        rt=rt,
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        note=note,
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None and getattr(request, _LOCKED_FLAG, False):
        return  # already recorded as locked_out
    _record_attempt(Action.LOGIN_FAILED, credentials.get("username", ""))


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    if request is not None:
        setattr(request, _LOCKED_FLAG, True)
    _record_attempt(Action.LOCKED_OUT, username or "", note="django-axes lockout")


def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is None or not getattr(request, "request_id", None):
        return  # not a real request (force_login in tests, scripts)
    record_login(user)


def record_login(user, *, note: str = "") -> None:
    rt, kelurahan, kecamatan = actor_region(user)
    record(
        actor=user,
        action=Action.LOGGED_IN,
        instance=user,
        entity_label=f"user #{user.pk}",
        rt=rt,
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        note=note,
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="audit_logged_in")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit_locked_out")
