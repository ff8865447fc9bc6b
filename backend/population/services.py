"""Every change to households and residents.

Each service checks the actor's scope, validates (NIK/KK rules, one head per
household, uniqueness), writes inside ``transaction.atomic()`` together with
its audit event, and returns the object. It refuses with ``DomainError``;
nothing is written then. Soft warnings (``resident_warnings``) never refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import build_event, diff, record, record_many, snapshot
from backend.common.errors import Code, DomainError, Problem
from backend.population import codes, identity
from backend.population.age import today_wita
from backend.population.models import Household, Resident
from backend.wilayah.selectors import known_kecamatan_prefixes

RESIDENT_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "religion",
    "education",
    "occupation",
    "marital_status",
    "marriage_recorded",
    "marriage_date",
    "relationship",
    "citizenship",
    "blood_type",
    "passport_number",
    "kitas_number",
    "father_name",
    "mother_name",
    "status",
    "status_date",
    "residency",
    "ikd_activated",
    "ikd_activated_on",
    "phone",
    "household",
    "rt",
)
HOUSEHOLD_FIELDS = ("no_kk", "rt", "address", "postal_code", "issued_on")


def _require_change(actor, rt) -> None:
    scope = actor.scope
    if scope.can(Cap.POPULATION_CHANGE, rt):
        return
    if scope.can(Cap.POPULATION_VIEW, rt):
        raise DomainError.permission_denied(
            _("You may view but not change population data in this RT.")
        )
    raise DomainError(Code.OUT_OF_SCOPE, _("This RT is outside your region."), field="rt")


def _model_problems(instance, exclude: list[str]) -> list[Problem]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [
            Problem(Code.INVALID, message, field)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


# -- residents ---------------------------------------------------------------


def resident_warnings(
    resident: Resident, *, prefixes: frozenset[str] | None = None
) -> list[Problem]:
    """Soft warnings for a resident's NIK (sex, birth date, old kecamatan code)."""
    if not resident.nik or identity.nik_errors(resident.nik):
        return []
    return identity.nik_warnings(
        resident.nik,
        sex=resident.sex,
        birth_date=resident.birth_date,
        known_kecamatan_prefixes=prefixes if prefixes is not None else known_kecamatan_prefixes(),
    )


def resident_field_problems(
    resident: Resident, *, in_household: bool | None = None
) -> list[Problem]:
    """The rules that need no database: NIK digits, dates, relationship, status date, fields.

    ``in_household`` says whether the resident is on a KK; it defaults to
    ``resident.household_id`` (bulk imports pass it while the KK is unsaved).
    """
    if in_household is None:
        in_household = resident.household_id is not None
    problems: list[Problem] = []
    if resident.nik:
        problems += identity.nik_errors(resident.nik)
    if resident.birth_date and resident.birth_date > today_wita():
        problems.append(
            Problem(Code.INVALID, _("The date of birth cannot be in the future."), "birth_date")
        )
    if resident.birth_date and resident.birth_date < date(1900, 1, 1):
        problems.append(Problem(Code.INVALID, _("The date of birth is before 1900."), "birth_date"))
    if in_household and resident.relationship is None:
        problems.append(
            Problem(
                Code.REQUIRED,
                _("The relationship to the head of the household is required."),
                "relationship",
            )
        )
    if resident.status != codes.LifeStatus.ALIVE and resident.status_date is None:
        problems.append(
            Problem(
                Code.REQUIRED,
                _("The date of death, move or departure is required for this status."),
                "status_date",
            )
        )
    if resident.status_date and resident.status_date > today_wita():
        problems.append(
            Problem(Code.INVALID, _("The status date cannot be in the future."), "status_date")
        )
    if resident.ikd_activated_on and not resident.ikd_activated:
        resident.ikd_activated = True
    problems += _model_problems(resident, exclude=["household", "rt", "nik"])
    return problems


def _resident_problems(resident: Resident) -> list[Problem]:
    problems = resident_field_problems(resident)
    if not any(p.field == "nik" for p in problems) and resident.nik:
        taken = Resident.objects.filter(nik=resident.nik).exclude(pk=resident.pk).exists()
        if taken:
            problems.append(
                Problem(
                    identity.NikCode.DUPLICATE,
                    _("This NIK is already registered to another resident."),
                    "nik",
                )
            )
    if (
        resident.household_id
        and resident.relationship == codes.Relationship.HEAD
        and resident.status == codes.LifeStatus.ALIVE
    ):
        other_head = (
            Resident.objects.filter(
                household_id=resident.household_id,
                relationship=codes.Relationship.HEAD,
                status=codes.LifeStatus.ALIVE,
            )
            .exclude(pk=resident.pk)
            .exists()
        )
        if other_head:
            problems.append(
                Problem(
                    "household_has_head",
                    _("This household already has a head; change the current head first."),
                    "relationship",
                )
            )
    return problems


def _normalise_resident(resident: Resident) -> None:
    resident.nik = identity.clean_number_text(resident.nik) if resident.nik else None
    resident.name = " ".join((resident.name or "").split())
    if resident.household_id:
        # A member lives in the RT of their KK.
        resident.rt_id = resident.household.rt_id


def _save(instance, problems_on_integrity: Problem) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Lost a race with a concurrent write (unique NIK, one head).
        raise DomainError.from_problems([problems_on_integrity]) from None


@transaction.atomic
def resident_register(
    *, actor, rt=None, household: Household | None = None, **fields: Any
) -> Resident:
    """Register a resident in an RT (and on a KK when ``household`` is given)."""
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    resident = Resident(household=household, **fields)
    if household is not None:
        rt = household.rt
    if rt is None:
        raise DomainError(Code.REQUIRED, _("The RT is required."), field="rt")
    resident.rt = rt
    _require_change(actor, rt)
    _normalise_resident(resident)
    problems = _resident_problems(resident)
    if problems:
        raise DomainError.from_problems(problems)
    _save(
        resident,
        Problem(
            Code.CONFLICT,
            _(
                "The resident could not be saved: the NIK or "
                "the head of the household changed meanwhile."
            ),
            "nik",
        ),
    )
    after = snapshot(resident)
    record(
        actor=actor,
        action=Action.CREATED,
        instance=resident,
        changes=diff({}, after),
        snapshot=after,
        rt=resident.rt,
    )
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, **changes: Any) -> Resident:
    """Change a resident's fields; a move to another KK or RT must stay inside the actor's scope."""
    unknown = set(changes) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    current = (
        Resident.objects.select_for_update()
        .select_related("rt__kelurahan__kecamatan")
        .get(pk=resident.pk)
    )
    _require_change(actor, current.rt)
    before = snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    if "household" in changes and changes["household"] is not None:
        _require_change(actor, changes["household"].rt)
    elif "rt" in changes and changes["rt"] is not None:
        _require_change(actor, changes["rt"])
    _normalise_resident(current)
    problems = _resident_problems(current)
    if problems:
        raise DomainError.from_problems(problems)
    _save(
        current, Problem(Code.CONFLICT, _("The resident was changed meanwhile; try again."), None)
    )
    after = snapshot(current)
    changed = diff(before, after)
    if changed:
        record(
            actor=actor,
            action=Action.UPDATED,
            instance=current,
            changes=changed,
            snapshot=after,
            rt=current.rt,
        )
    resident.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def resident_delete(*, actor, resident: Resident) -> None:
    """Remove a resident entered by mistake (a death or a move is a status, not a deletion)."""
    current = (
        Resident.objects.select_for_update().select_related("rt__kelurahan").get(pk=resident.pk)
    )
    _require_change(actor, current.rt)
    before = snapshot(current)
    pk, rt = current.pk, current.rt
    current.delete()
    record(
        actor=actor,
        action=Action.DELETED,
        entity_type="population.resident",
        entity_id=pk,
        entity_label=f"{Resident._meta.verbose_name} #{pk}",
        changes=diff(before, {}),
        snapshot=before,
        rt=rt,
    )


# -- households --------------------------------------------------------------


def household_warnings(
    household: Household, *, prefixes: frozenset[str] | None = None
) -> list[Problem]:
    if identity.kk_errors(household.no_kk):
        return []
    return identity.kk_warnings(
        household.no_kk,
        known_kecamatan_prefixes=prefixes if prefixes is not None else known_kecamatan_prefixes(),
    )


def household_field_problems(household: Household) -> list[Problem]:
    """The rules that need no database: KK number digits, issue date, fields."""
    problems = identity.kk_errors(household.no_kk or "", today=today_wita())
    if household.issued_on and household.issued_on > today_wita():
        problems.append(
            Problem(Code.INVALID, _("The issue date cannot be in the future."), "issued_on")
        )
    problems += _model_problems(household, exclude=["rt", "no_kk"])
    return problems


def _household_problems(household: Household) -> list[Problem]:
    problems = household_field_problems(household)
    if not any(p.field == "no_kk" for p in problems):
        taken = Household.objects.filter(no_kk=household.no_kk).exclude(pk=household.pk).exists()
        if taken:
            problems.append(
                Problem(
                    identity.KkCode.DUPLICATE,
                    _("This KK number is already registered."),
                    "no_kk",
                )
            )
    return problems


@transaction.atomic
def household_create(*, actor, rt, no_kk: str, address: str, **fields: Any) -> Household:
    """Register a Kartu Keluarga in an RT. Members are added with ``resident_register``."""
    household = Household(
        rt=rt, no_kk=identity.clean_number_text(no_kk or ""), address=address, **fields
    )
    _require_change(actor, rt)
    problems = _household_problems(household)
    if problems:
        raise DomainError.from_problems(problems)
    _save(
        household,
        Problem(identity.KkCode.DUPLICATE, _("This KK number is already registered."), "no_kk"),
    )
    after = snapshot(household)
    record(
        actor=actor,
        action=Action.CREATED,
        instance=household,
        changes=diff({}, after),
        snapshot=after,
        rt=household.rt,
    )
    return household


@transaction.atomic
def household_update(*, actor, household: Household, **changes: Any) -> Household:
    """Change a household; moving it to another RT moves its members' domicile with it."""
    unknown = set(changes) - {*HOUSEHOLD_FIELDS, "needs_update", "needs_update_reason"}
    if unknown:
        raise TypeError(f"unknown household fields: {sorted(unknown)}")
    current = (
        Household.objects.select_for_update()
        .select_related("rt__kelurahan__kecamatan")
        .get(pk=household.pk)
    )
    _require_change(actor, current.rt)
    before = snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    if "no_kk" in changes:
        current.no_kk = identity.clean_number_text(current.no_kk or "")
    if "rt" in changes:
        _require_change(actor, current.rt)
    problems = _household_problems(current)
    if problems:
        raise DomainError.from_problems(problems)
    _save(
        current,
        Problem(identity.KkCode.DUPLICATE, _("This KK number is already registered."), "no_kk"),
    )
    if before["rt"] != current.rt_id:
        _move_members(actor, current, old_rt_id=before["rt"])
    after = snapshot(current)
    changed = diff(before, after)
    if changed:
        record(
            actor=actor,
            action=Action.UPDATED,
            instance=current,
            changes=changed,
            snapshot=after,
            rt=current.rt,
        )
    household.__dict__.update(current.__dict__)
    return current


def _move_members(actor, household: Household, *, old_rt_id: int) -> None:
    """Move the members' domicile with their KK, one audit row each, in one batch."""
    member_ids = list(household.residents.values_list("pk", flat=True))
    Resident.objects.filter(pk__in=member_ids).update(rt=household.rt)
    record_many(
        build_event(
            actor=actor,
            action=Action.UPDATED,
            entity_type="population.resident",
            entity_id=pk,
            entity_label=f"{Resident._meta.verbose_name} #{pk}",
            changes={"rt": [old_rt_id, household.rt_id]},
            rt=household.rt,
            note="household moved",
        )
        for pk in member_ids
    )


@transaction.atomic
def household_delete(*, actor, household: Household) -> None:
    """Remove an empty household entered by mistake; a KK with members is refused."""
    current = (
        Household.objects.select_for_update().select_related("rt__kelurahan").get(pk=household.pk)
    )
    _require_change(actor, current.rt)
    if current.residents.exists():
        raise DomainError(
            "household_not_empty",
            _("This household still has members; move or remove them first."),
        )
    before = snapshot(current)
    pk, rt = current.pk, current.rt
    current.delete()
    record(
        actor=actor,
        action=Action.DELETED,
        entity_type="population.household",
        entity_id=pk,
        entity_label=f"{Household._meta.verbose_name} #{pk}",
        changes=diff(before, {}),
        snapshot=before,
        rt=rt,
    )
