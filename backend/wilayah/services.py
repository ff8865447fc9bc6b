"""Changes to the RT list of a kelurahan.

Kelurahan staff and the Lurah keep their kelurahan's RT list current (the
city splits and freezes RTs), so these services need ``Cap.REGION_CHANGE``
over the whole kelurahan. An RT is never deleted: a frozen or merged RT is
made inactive and keeps its rows and history. Each change writes its audit
event in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import diff, record, snapshot
from backend.common.errors import Code, DomainError, Problem
from backend.wilayah.models import RT, Kelurahan

RT_FIELDS = ("number", "ketua_name", "is_active", "valid_from", "valid_until")


def _require_region_change(actor, kelurahan: Kelurahan) -> None:
    scope = actor.scope
    if scope.can_in_kelurahan(Cap.REGION_CHANGE, kelurahan):
        return
    raise DomainError(
        Code.OUT_OF_SCOPE,
        _("You may not change the RT list of this kelurahan."),
        field="kelurahan",
    )


def _rt_problems(rt: RT) -> list[Problem]:
    problems: list[Problem] = []
    if rt.number is None or rt.number < 1 or rt.number > 999:
        problems.append(
            Problem(Code.INVALID, _("The RT number must be between 1 and 999."), "number")
        )
    elif (
        RT.objects.filter(kelurahan_id=rt.kelurahan_id, rw__isnull=True, number=rt.number)
        .exclude(pk=rt.pk)
        .exists()
    ):
        problems.append(
            Problem(
                Code.DUPLICATE,
                _("RT %(number)03d already exists in this kelurahan.") % {"number": rt.number},
                "number",
            )
        )
    if rt.valid_from and rt.valid_until and rt.valid_until < rt.valid_from:
        problems.append(
            Problem(
                Code.INVALID,
                _("The end of validity cannot be before its start."),
                "valid_until",
            )
        )
    rt.ketua_name = " ".join((rt.ketua_name or "").split())
    if len(rt.ketua_name) > 100:
        problems.append(Problem(Code.INVALID, _("The Ketua RT name is too long."), "ketua_name"))
    return problems


def _save(rt: RT) -> None:
    try:
        with transaction.atomic():
            rt.save()
    except IntegrityError:
        # Lost a race with a concurrent write of the same number.
        raise DomainError(
            Code.CONFLICT,
            _("Another RT with this number was saved meanwhile; check the list."),
            field="number",
        ) from None


@transaction.atomic
def rt_create(
    *,
    actor,
    kelurahan: Kelurahan,
    number: int,
    ketua_name: str = "",
    is_active: bool = True,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> RT:
    """Add an RT (directly under the kelurahan) to a kelurahan's list."""
    if kelurahan is None:
        raise DomainError(Code.REQUIRED, _("The kelurahan is required."), field="kelurahan")
    _require_region_change(actor, kelurahan)
    rt = RT(
        kelurahan=kelurahan,
        number=number,
        ketua_name=ketua_name or "",
        is_active=is_active,
        valid_from=valid_from,
        valid_until=valid_until,
        is_synthetic=False,
    )
    problems = _rt_problems(rt)
    if problems:
        raise DomainError.from_problems(problems)
    rt.code = RT.make_code(kelurahan.code, rt.number)
    _save(rt)
    after = snapshot(rt)
    record(
        actor=actor,
        action=Action.CREATED,
        instance=rt,
        changes=diff({}, after),
        snapshot=after,
        rt=rt,
    )
    return rt


@transaction.atomic
def rt_update(*, actor, rt: RT, **changes: Any) -> RT:
    """Renumber, rename the Ketua RT, freeze (``is_active=False``) or set the validity of an RT.

    The code follows the number. Moving an RT to another kelurahan is not a
    change of this kind (it is a city decision) and is not offered here.
    """
    unknown = set(changes) - set(RT_FIELDS)
    if unknown:
        raise TypeError(f"unknown RT fields: {sorted(unknown)}")
    current = RT.objects.select_for_update().select_related("kelurahan__kecamatan").get(pk=rt.pk)
    _require_region_change(actor, current.kelurahan)
    before = snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    problems = _rt_problems(current)
    if problems:
        raise DomainError.from_problems(problems)
    if current.rw_id is None:
        current.code = RT.make_code(current.kelurahan.code, current.number)
    _save(current)
    after = snapshot(current)
    changed = diff(before, after)
    if changed:
        record(
            actor=actor,
            action=Action.UPDATED,
            instance=current,
            changes=changed,
            snapshot=after,
            rt=current,
        )
    rt.__dict__.update(current.__dict__)
    return current
