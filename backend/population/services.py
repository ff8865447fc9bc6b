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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit import restore
from backend.audit.models import Action, AuditEvent
from backend.audit.refusals import audit_refusals
from backend.audit.services import build_event, diff, record, record_many, snapshot
from backend.common.errors import Code, DomainError, Problem
from backend.population import codes, identity, stats
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
    resident: Resident,
    *,
    prefixes: frozenset[str] | None = None,
    open_stays: set[tuple[str, int]] | None = None,
) -> list[Problem]:
    """Soft warnings: the NIK against sex and birth date, an old kecamatan code, and a
    living resident whose NIK still has an open non-permanent stay in the kelurahan.

    ``open_stays`` holds (NIK, kelurahan id) of open stays, for bulk paths that
    load them once per chunk (``open_stay_keys``); without it one query is made.
    """
    if not resident.nik or identity.nik_errors(resident.nik):
        return []
    warnings = identity.nik_warnings(
        resident.nik,
        sex=resident.sex,
        birth_date=resident.birth_date,
        known_kecamatan_prefixes=prefixes if prefixes is not None else known_kecamatan_prefixes(),
    )
    rt = resident.rt if resident.rt_id else None
    if rt is not None and resident.status == codes.LifeStatus.ALIVE:
        if open_stays is None:
            open_stays = open_stay_keys([resident.nik])
        if (resident.nik, rt.kelurahan_id) in open_stays:
            warnings.append(
                Problem(
                    "open_stay",
                    _(
                        "This person also has an open non-permanent stay in this kelurahan. "
                        "From now on they are counted as a registered resident, not twice; "
                        "the RT should still send the end-of-stay report."
                    ),
                    "nik",
                )
            )
    return warnings


def open_stay_keys(niks) -> set[tuple[str, int]]:
    """(NIK, kelurahan id) of the open non-permanent stays of these NIKs (one query)."""
    niks = [n for n in niks if n]
    if not niks:
        return set()
    return set(stats.open_stays().filter(nik__in=niks).values_list("nik", "rt__kelurahan_id"))


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


def _save(instance, problems_on_integrity: Problem, **save_kwargs: Any) -> None:
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        # Lost a race with a concurrent write (unique NIK, one head).
        raise DomainError.from_problems([problems_on_integrity]) from None


def _register_target(kwargs: dict[str, Any]) -> dict[str, Any]:
    household = kwargs.get("household")
    rt = household.rt_id if household is not None else kwargs.get("rt")
    return {"entity_type": "population.resident", "rt": rt}


def _create_household_target(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"entity_type": "population.household", "rt": kwargs.get("rt")}


@audit_refusals(_register_target)
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
        snapshot=after,
        rt=resident.rt,
    )
    return resident


@audit_refusals("resident")
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
    if (
        before.get("status") == codes.LifeStatus.ALIVE
        and current.status == codes.LifeStatus.MOVED
        and current.household_id is not None
    ):
        record_many(
            [
                _flag_household(
                    actor,
                    current,
                    head_reason=_(
                        "The head of the household has moved away: name a new head and "
                        "reissue the KK."
                    ),
                    member_reason=_(
                        "A member of the household has moved away: reissue the KK without them."
                    ),
                    note="member moved",
                )
            ]
        )
    resident.__dict__.update(current.__dict__)
    return current


def _flag_household(actor, resident: Resident, *, head_reason, member_reason, note: str):
    """Flag the resident's KK for reissue after they left it (died, moved away): the
    head's leaving says to name a new head; a member's keeps an earlier, weightier
    reason. Returns the KK's audit event, for the caller to write."""
    household = Household.objects.select_for_update().get(pk=resident.household_id)
    before = snapshot(household, ["needs_update", "needs_update_reason"])
    if resident.is_head:
        household.needs_update_reason = _stored_text(head_reason)
    elif not household.needs_update:
        household.needs_update_reason = _stored_text(member_reason)
    household.needs_update = True
    household.save(update_fields=["needs_update", "needs_update_reason", "updated_at"])
    return build_event(
        actor=actor,
        action=Action.UPDATED,
        instance=household,
        changes=diff(before, snapshot(household, ["needs_update", "needs_update_reason"])),
        rt=resident.rt,
        note=note,
    )


@audit_refusals("resident")
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


@audit_refusals(_create_household_target)
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
        snapshot=after,
        rt=household.rt,
    )
    return household


@audit_refusals("household")
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
    """Move the members' domicile with their KK: one UPDATE, one audit row each, in one batch."""
    members = list(Resident.objects.filter(household=household))
    if not members:
        return
    now = timezone.now()
    Resident.objects.filter(pk__in=[m.pk for m in members]).update(rt=household.rt, updated_at=now)
    events = []
    for member in members:
        before = snapshot(member)
        member.rt_id, member.updated_at = household.rt_id, now
        after = snapshot(member)
        events.append(
            build_event(
                actor=actor,
                action=Action.UPDATED,
                instance=member,
                changes=diff(before, after),
                snapshot=after,
                rt=household.rt,
                note="household moved",
            )
        )
    record_many(events)


@audit_refusals("household")
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
        snapshot=before,
        rt=rt,
    )


# -- life events -------------------------------------------------------------


def _stored_text(message) -> str:
    """Text kept in a data field is written in the office language, not the actor's."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


def surviving_spouses(deceased: Resident) -> list[Resident]:
    """Who ``resident_mark_deceased`` would record cerai mati, without changing
    anything (for a confirmation page); the same rule as the death itself."""
    with transaction.atomic():
        return _surviving_spouses(deceased)


def _surviving_spouses(deceased: Resident) -> list[Resident]:
    """Living married spouses on the deceased's KK whose status becomes cerai mati.

    The head's spouses are the members recorded as husband or wife. When a
    wife or husband dies, the head is widowed only if no other married
    spouse remains on the KK.
    """
    if deceased.household_id is None:
        return []
    spouse_roles = (codes.Relationship.HUSBAND, codes.Relationship.WIFE)
    members = Resident.objects.select_for_update().filter(
        household_id=deceased.household_id, status=codes.LifeStatus.ALIVE
    )
    if deceased.relationship == codes.Relationship.HEAD:
        return list(
            members.filter(
                relationship__in=spouse_roles, marital_status=codes.MaritalStatus.MARRIED
            )
        )
    if deceased.relationship in spouse_roles:
        others = members.filter(
            relationship__in=spouse_roles, marital_status=codes.MaritalStatus.MARRIED
        ).exclude(pk=deceased.pk)
        if others.exists():
            return []
        return list(
            members.filter(
                relationship=codes.Relationship.HEAD, marital_status=codes.MaritalStatus.MARRIED
            )
        )
    return []


@transaction.atomic
def resident_mark_deceased(
    *, actor, resident: Resident, death_date: date, note: str = ""
) -> Resident:
    """Record a resident's death from ``death_date``; they leave the living counts.

    Refuses a resident already deceased or no longer living here, a date in
    the future or before birth. A surviving married spouse on the KK becomes
    cerai mati, and the KK is flagged as needing a new card (naming a new
    head when the head died). Every change writes its audit event in this
    transaction; ``note`` (e.g. "laporan #12") goes on each.
    """
    current = (
        Resident.objects.select_for_update(of=("self",))
        .select_related("rt__kelurahan__kecamatan", "household")
        .get(pk=resident.pk)
    )
    _require_change(actor, current.rt)
    if current.status == codes.LifeStatus.DECEASED:
        raise DomainError(
            "resident_already_deceased",
            _("This resident is already recorded as deceased."),
            field="resident",
        )
    if current.status != codes.LifeStatus.ALIVE:
        raise DomainError(
            "resident_not_living_here",
            _("This resident is no longer recorded as living here (moved or left)."),
            field="resident",
        )
    if death_date > today_wita():
        raise DomainError(
            Code.INVALID, _("The date of death cannot be in the future."), field="death_date"
        )
    if death_date < current.birth_date:
        raise DomainError(
            Code.INVALID, _("The date of death is before the date of birth."), field="death_date"
        )

    before = snapshot(current)
    current.status = codes.LifeStatus.DECEASED
    current.status_date = death_date
    current.save(update_fields=["status", "status_date", "updated_at"])
    events = [
        build_event(
            actor=actor,
            action=Action.UPDATED,
            instance=current,
            changes=diff(before, snapshot(current)),
            rt=current.rt,
            note=note or "deceased",
        )
    ]

    for spouse in _surviving_spouses(current):
        spouse_before = snapshot(spouse, ["marital_status"])
        spouse.marital_status = codes.MaritalStatus.WIDOWED
        spouse.save(update_fields=["marital_status", "updated_at"])
        events.append(
            build_event(
                actor=actor,
                action=Action.UPDATED,
                instance=spouse,
                changes=diff(spouse_before, snapshot(spouse, ["marital_status"])),
                rt=spouse.rt_id,
                kelurahan=current.rt.kelurahan_id,
                kecamatan=current.rt.kelurahan.kecamatan_id,
                note=note or "spouse deceased",
            )
        )

    if current.household_id is not None:
        events.append(
            _flag_household(
                actor,
                current,
                head_reason=_(
                    "The head of the household has died: name a new head and reissue the KK."
                ),
                member_reason=_("A member of the household has died: reissue the KK without them."),
                note=note or "member deceased",
            )
        )
    record_many(events)
    resident.__dict__.update(current.__dict__)
    return current


# -- restoring an earlier version ---------------------------------------------


def _restore_target(entity_type: str, id_argument: str) -> Any:
    def target(kwargs: dict[str, Any]) -> dict[str, Any]:
        event = kwargs.get("event")
        return {
            "entity_type": entity_type,
            "entity_id": kwargs.get(id_argument),
            "rt": getattr(event, "rt_id", None),
        }

    return target


def _version_values(model, data: dict[str, Any], names) -> dict[str, Any]:
    """Model attribute values (``attname``) for the fields of a snapshot."""
    values: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue  # a field added after this version was recorded keeps its value
        field = model._meta.get_field(name)
        raw = data[name]
        values[field.attname] = raw if field.is_relation else field.to_python(raw)
    return values


def _version_rt(rt_id):
    from backend.wilayah.models import RT

    rt = RT.objects.select_related("kelurahan__kecamatan").filter(pk=rt_id).first()
    if rt is None:
        raise DomainError.not_found(_("The RT of this version no longer exists."), field="rt")
    return rt


def _nothing_to_restore() -> DomainError:
    return DomainError(
        "nothing_to_restore", _("This version is the same as the current data."), field="event"
    )


def _restored_note(event: AuditEvent) -> str:
    return f"restored from audit event #{event.pk} (seq {event.seq})"


@restore.restorer("population.resident")
@audit_refusals(_restore_target("population.resident", "resident_id"))
@transaction.atomic
def resident_restore(*, actor, resident_id: int, event: AuditEvent) -> Resident:
    """Bring a resident back to the version recorded in ``event``; recreate it if deleted.

    Validates like ``resident_update`` (scope of the current and the restored
    RT, NIK rules and uniqueness, one head per household), applies the
    restore rules other domains declared (``backend.audit.restore.rule``),
    and records a ``restored`` event. The household of that version must
    still exist (restore it first).
    """
    data = restore.check_event(event, entity_type="population.resident", entity_id=resident_id)
    current = (
        Resident.objects.select_for_update()
        .select_related("rt__kelurahan__kecamatan")
        .filter(pk=resident_id)
        .first()
    )
    if current is not None:
        _require_change(actor, current.rt)
    restore.check_rules(actor=actor, event=event, current=current)
    before = snapshot(current) if current is not None else {}
    target = current if current is not None else Resident(pk=resident_id)
    for attname, value in _version_values(Resident, data, RESIDENT_FIELDS).items():
        setattr(target, attname, value)
    if target.household_id is not None:
        household = (
            Household.objects.select_related("rt__kelurahan__kecamatan")
            .filter(pk=target.household_id)
            .first()
        )
        if household is None:
            raise DomainError(
                "household_missing",
                _("The household (KK) of this version no longer exists; restore it first."),
                field="household",
            )
        target.household = household
        target.rt = household.rt  # a member lives in the RT of their KK
    else:
        target.rt = _version_rt(target.rt_id)
    _normalise_resident(target)
    _require_change(actor, target.rt)
    problems = _resident_problems(target)
    if problems:
        raise DomainError.from_problems(problems)
    _save(
        target,
        Problem(
            Code.CONFLICT,
            _("The resident could not be restored: the data changed meanwhile; try again."),
            None,
        ),
        **({} if current is not None else {"force_insert": True}),
    )
    after = snapshot(target)
    changed = diff(before, after)
    if current is not None and not changed:
        raise _nothing_to_restore()
    record(
        actor=actor,
        action=Action.RESTORED,
        instance=target,
        changes=changed,
        snapshot=after,
        rt=target.rt,
        note=_restored_note(event),
    )
    return target


@restore.restorer("population.household")
@audit_refusals(_restore_target("population.household", "household_id"))
@transaction.atomic
def household_restore(*, actor, household_id: int, event: AuditEvent) -> Household:
    """Bring a household (KK) back to the version recorded in ``event``; recreate it if deleted.

    Validates like ``household_update``; restoring another RT moves the
    members' domicile with it (audited per member). A recreated household has
    no members: restore them afterwards from their own history.
    """
    data = restore.check_event(event, entity_type="population.household", entity_id=household_id)
    current = (
        Household.objects.select_for_update()
        .select_related("rt__kelurahan__kecamatan")
        .filter(pk=household_id)
        .first()
    )
    if current is not None:
        _require_change(actor, current.rt)
    restore.check_rules(actor=actor, event=event, current=current)
    before = snapshot(current) if current is not None else {}
    target = current if current is not None else Household(pk=household_id)
    names = (*HOUSEHOLD_FIELDS, "needs_update", "needs_update_reason")
    for attname, value in _version_values(Household, data, names).items():
        setattr(target, attname, value)
    target.rt = _version_rt(target.rt_id)
    target.no_kk = identity.clean_number_text(target.no_kk or "")
    _require_change(actor, target.rt)
    problems = _household_problems(target)
    if problems:
        raise DomainError.from_problems(problems)
    _save(
        target,
        Problem(identity.KkCode.DUPLICATE, _("This KK number is already registered."), "no_kk"),
        **({} if current is not None else {"force_insert": True}),
    )
    if current is not None and before["rt"] != target.rt_id:
        _move_members(actor, target, old_rt_id=before["rt"])
    after = snapshot(target)
    changed = diff(before, after)
    if current is not None and not changed:
        raise _nothing_to_restore()
    record(
        actor=actor,
        action=Action.RESTORED,
        instance=target,
        changes=changed,
        snapshot=after,
        rt=target.rt,
        note=_restored_note(event),
    )
    return target
