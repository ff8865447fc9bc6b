"""Bulk changes to households and residents (spreadsheet imports).

The same rules as the single services in ``backend.population.services``
(scope, NIK/KK rules, one living head per household, unique NIK and KK
number, the model's field rules) and the same audit events, but applied to
a chunk of rows at a time: existing rows are preloaded by key with one query
per chunk, writes go through ``bulk_create``/``bulk_update`` and the audit
trail through ``record_many``. The number of queries per chunk does not
depend on the number of rows in it.

The caller feeds *groups*: all rows of one KK number together (or rows
without a KK), so that the head-of-household rule can be decided inside one
chunk. The caller owns the transaction: a whole import runs in one
``transaction.atomic()``, so a failure anywhere leaves nothing written.

Matching: a resident is found by NIK; a resident without a NIK (allowed,
never faked) by name and date of birth within the same KK (or the same RT
when there is no KK). A household is found by its KK number.

Empty cells: a column the file does not have leaves the field alone. An
empty cell clears an optional field, and leaves a required or defaulted
field (name, sex, citizenship, ...) as it is on an existing resident.
"""

from __future__ import annotations

import copy
import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import build_event, build_events, diff, record_many, snapshot
from backend.common.errors import Code, Problem
from backend.common.masking import mask_nik
from backend.population import codes
from backend.population.models import Household, Resident
from backend.population.services import (
    household_field_problems,
    household_warnings,
    open_stay_keys,
    resident_field_problems,
    resident_warnings,
)
from backend.wilayah.models import RT
from backend.wilayah.selectors import known_kecamatan_prefixes

NEW, UPDATED, UNCHANGED, INVALID = "new", "updated", "unchanged", "invalid"

HOUSEHOLD_IMPORT_FIELDS = ("address", "postal_code", "issued_on")
# Non-nullable fields: an empty cell keeps the current value (or the default).
_KEEP_WHEN_EMPTY = frozenset(
    f.name
    for f in Resident._meta.concrete_fields
    if not f.null
    and f.name not in ("id", "household", "rt", "created_at", "updated_at")
    and f.get_internal_type() != "CharField"
) | {"name"}
_RESIDENT_DB_ATTS = tuple(
    (f.name, f.attname)
    for f in Resident._meta.concrete_fields
    if f.name not in ("id", "created_at", "updated_at")
)
_RESIDENT_ATTNAMES = tuple(
    f.attname for f in Resident._meta.concrete_fields if f.name not in ("id", "created_at")
)
_CHAR_FIELDS = frozenset(
    f.name for f in Resident._meta.concrete_fields if f.get_internal_type() == "CharField"
)
# A new Resident's attribute values before the row's fields are applied, as
# Resident() sets them: static defaults once, callable ones (none today) per row.
_CALLABLE_DEFAULTS = tuple(
    f for f in Resident._meta.concrete_fields if f.has_default() and callable(f.default)
)
_NEW_RESIDENT = {
    f.attname: f.get_default()
    for f in Resident._meta.concrete_fields
    if f not in _CALLABLE_DEFAULTS
}


def _new_resident() -> Resident:
    """``Resident()`` without Model.__init__'s per-field work (a sixth of the cost)."""
    resident = Resident.__new__(Resident)
    resident._state = ModelState()
    resident.__dict__.update(_NEW_RESIDENT)
    for f in _CALLABLE_DEFAULTS:
        resident.__dict__[f.attname] = f.get_default()
    return resident


_REQUIRED_NEW = {
    "name": _("The full name is required."),
    "sex": _("The sex is required."),
    "birth_date": _("The date of birth is required."),
}


@functools.cache
def _copy_plan(model: type[models.Model]):
    fields = model._meta.concrete_fields
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    stamps = [f.attname for f in fields if getattr(f, "auto_now", False)]
    created = [f.attname for f in fields if getattr(f, "auto_now_add", False)]
    return table, columns, operator.itemgetter(*(f.attname for f in fields)), stamps, created


def insert_many(model: type[models.Model], objs: list, *, now: datetime) -> None:
    """INSERT new rows and give them their primary keys, as ``bulk_create`` does.

    On PostgreSQL: the keys are drawn from the table's sequence in one query
    and the rows streamed with one COPY, several times faster than
    ``bulk_create``'s per-field SQL compilation (Household and Resident hold
    plain values that psycopg adapts itself). Elsewhere: ``bulk_create``.
    No model signals are sent, exactly as with ``bulk_create``.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    table, columns, row_of, stamps, created = _copy_plan(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            for attname in stamps:
                setattr(obj, attname, now)
            for attname in created:
                if getattr(obj, attname) is None:
                    setattr(obj, attname, now)
            obj._state.adding = False
            obj._state.db = connection.alias
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy_:
            for obj in objs:
                copy_.write_row(row_of(obj.__dict__))


@dataclass(slots=True)
class ResidentInput:
    """One spreadsheet row for a resident, already read and typed.

    ``fields`` holds only the columns the file has (Resident field names;
    None or "" for an empty cell). ``rt`` is None when the file has no RT
    column. ``checked_as_new`` marks a row whose field rules already passed
    for a new resident with these very values (the dry run), so that the
    final run does not repeat them when it is still new.
    """

    ref: int
    fields: dict[str, Any]
    rt: RT | None = None
    no_kk: str | None = None
    household_fields: dict[str, Any] = field(default_factory=dict)
    checked_as_new: bool = False


@dataclass(slots=True)
class Group:
    """The rows of one KK number (``no_kk`` None: rows without a KK)."""

    no_kk: str | None
    rows: list[ResidentInput]


@dataclass(slots=True)
class RowOutcome:
    ref: int
    action: str = UNCHANGED
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # The field rules passed for this row as a new resident (see ResidentInput).
    valid_as_new: bool = False


@dataclass
class ChunkOutcome:
    rows: list[RowOutcome]
    households: Counter = field(default_factory=Counter)


class RtIndex:
    """RT rows with their kelurahan and kecamatan, loaded once, for scope checks."""

    def __init__(self) -> None:
        self._by_id: dict[int, RT] = {}

    def add(self, rts: Iterable[RT]) -> None:
        for rt in rts:
            self._by_id[rt.pk] = rt

    def get_many(self, ids: Iterable[int]) -> dict[int, RT]:
        missing = {i for i in ids if i is not None and i not in self._by_id}
        if missing:
            self.add(RT.objects.filter(pk__in=missing).select_related("kelurahan__kecamatan"))
        return self._by_id

    def __getitem__(self, rt_id: int) -> RT:
        return self.get_many([rt_id])[rt_id]


def _problem(code: str, message, field_name: str | None) -> Problem:
    return Problem(code, message, field_name)


def _identity_change_warnings(existing: Resident, resident: Resident, changed) -> list[Problem]:
    """An update by NIK that renames the person or moves them to another KK or RT is
    worth a look before confirming: a mistyped NIK would rewrite somebody else."""
    warnings = []
    if resident.name and _name_key(existing.name) != _name_key(resident.name):
        warnings.append(
            _problem(
                "nik_other_name",
                _(
                    "This NIK is registered as “%(name)s”: this row renames that resident. "
                    "Check the NIK if it is another person."
                )
                % {"name": existing.name},
                "nik",
            )
        )
    if existing.household_id and "household_id" in changed:
        warnings.append(
            _problem(
                "moves_household",
                _("This row moves the resident from their current KK to another KK."),
                "no_kk",
            )
        )
    elif "rt_id" in changed:
        warnings.append(_problem("moves_rt", _("This row moves the resident to another RT."), "rt"))
    return warnings


def _name_key(name: str | None) -> str:
    return " ".join((name or "").lower().split())


def _is_living_head(resident: Resident) -> bool:
    return (
        resident.relationship == codes.Relationship.HEAD
        and resident.status == codes.LifeStatus.ALIVE
    )


def _changed_fields(before: Resident | Household, after, names: Iterable[str]) -> list[str]:
    return [n for n in names if getattr(before, n) != getattr(after, n)]


@dataclass
class _HouseholdPlan:
    no_kk: str
    existing: Household | None
    instance: Household | None = None
    action: str = UNCHANGED
    changed: list[str] = field(default_factory=list)
    moved_from_rt: int | None = None
    members: list[Resident] = field(default_factory=list)


class ResidentBulkImport:
    """Checks (and with ``write=True`` applies) residents and their households, chunk by chunk.

    ``file_niks`` is every NIK the file holds on a readable row: a current
    head who appears anywhere in the file gets their new state from the file,
    so they do not count as "the household already has a head".
    """

    def __init__(
        self,
        *,
        actor,
        write: bool,
        file_niks: frozenset[str] = frozenset(),
        cap: str = Cap.POPULATION_IMPORT,
        rts: RtIndex | None = None,
        note: str = "import",
        households_only: bool = False,
    ) -> None:
        self.actor = actor
        self.scope = actor.scope
        self.cap = cap
        self.write = write
        self.file_niks = file_niks
        self.rts = rts or RtIndex()
        self.note = note
        self.households_only = households_only
        self.prefixes = known_kecamatan_prefixes()
        self.now: datetime = timezone.now()
        self._labels: dict[type, str] = {}
        # Promotions to head that had to wait for a demotion in a later chunk.
        self._deferred: list[tuple[Resident, bool, dict | None, RowOutcome]] = []

    # -- entry points ---------------------------------------------------------

    def process(self, groups: list[Group]) -> ChunkOutcome:
        """Check one chunk of groups; write it too when ``write``."""
        outcome = ChunkOutcome(rows=[])
        self._preload(groups)
        plans: list[tuple[_HouseholdPlan | None, list[tuple[ResidentInput, RowOutcome, Any]]]] = []
        for group in groups:
            plans.append(self._check_group(group, outcome))
        if self.write:
            self._apply(plans)
        return outcome

    def finish(self) -> list[RowOutcome]:
        """Write the promotions that waited for a later chunk; call once at the end."""
        if not self._deferred or not self.write:
            return []
        pending, self._deferred = self._deferred, []
        try:
            with transaction.atomic():
                self._write_residents([(r, new, before) for r, new, before, _o in pending])
        except IntegrityError:
            for _r, _new, _before, row in pending:
                row.errors.append(self._two_heads_problem())
                row.action = INVALID
            return [row for *_rest, row in pending]
        return []

    # -- preload ----------------------------------------------------------------

    def _preload(self, groups: list[Group]) -> None:
        kks = [g.no_kk for g in groups if g.no_kk]
        niks = [r.fields.get("nik") for g in groups for r in g.rows if r.fields.get("nik")]
        self.households = {h.no_kk: h for h in Household.objects.filter(no_kk__in=kks)}
        self.by_nik = {
            r.nik: r for r in Resident.objects.filter(nik__in=niks).select_related("household")
        }
        self.open_stays = open_stay_keys(niks)
        household_ids = [h.pk for h in self.households.values()]
        self.members: dict[int, list[Resident]] = defaultdict(list)
        if household_ids:
            for r in Resident.objects.filter(household_id__in=household_ids):
                self.members[r.household_id].append(self.by_nik.get(r.nik, r) if r.nik else r)
        # Residents without a NIK and without a KK, matched by RT, name and birth date.
        loose_rts = {
            r.rt.pk
            for g in groups
            if not g.no_kk
            for r in g.rows
            if r.rt and not r.fields.get("nik")
        }
        self.loose: dict[tuple, list[Resident]] = defaultdict(list)
        if loose_rts:
            for r in Resident.objects.filter(
                nik__isnull=True, household__isnull=True, rt_id__in=loose_rts
            ):
                self.loose[(r.rt_id, _name_key(r.name), r.birth_date)].append(r)
        rt_ids = {h.rt_id for h in self.households.values()}
        rt_ids |= {r.rt_id for r in self.by_nik.values()}
        rt_ids |= {r.rt.pk for g in groups for r in g.rows if r.rt is not None}
        self.rts.get_many(rt_ids)

    # -- checks -----------------------------------------------------------------

    def _in_scope(self, rt_id: int | None) -> bool:
        return rt_id is not None and self.scope.can(self.cap, self.rts[rt_id])

    def _check_group(self, group: Group, outcome: ChunkOutcome):
        rows = [RowOutcome(ref=r.ref) for r in group.rows]
        outcome.rows.extend(rows)
        pairs = list(zip(group.rows, rows, strict=True))
        plan = None
        if group.no_kk:
            plan = self._check_household(group, pairs, outcome)
        if self.households_only:
            # One row per KK: the row's outcome is the KK's.
            for _inp, row in pairs:
                row.action = INVALID if row.errors else plan.action
            if plan.instance is not None and not any(row.errors for row in rows):
                outcome.households[plan.action] += 1
            elif plan.instance is not None:
                outcome.households[INVALID] += 1
                plan.instance = None
            return plan, []
        checked = []
        for inp, row in pairs:
            if row.errors:
                row.action = INVALID
                continue
            resident, before = self._check_resident(inp, row, plan)
            checked.append((inp, row, (resident, before)))
        self._check_heads(plan, checked, pairs)
        result = []
        for inp, row, state in checked:
            if row.errors:
                row.action = INVALID
                continue
            result.append((inp, row, state))
        if plan is not None:
            self._settle_household(plan, result, outcome, pairs)
        return plan, result

    def _check_household(self, group: Group, pairs, outcome: ChunkOutcome) -> _HouseholdPlan:
        existing = self.households.get(group.no_kk)
        plan = _HouseholdPlan(no_kk=group.no_kk, existing=existing)
        # The KK's values come from its head's row, else from its first row.
        source = next(
            (
                inp
                for inp, _row in pairs
                if inp.fields.get("relationship") == codes.Relationship.HEAD
            ),
            pairs[0][0],
        )
        target_rt = source.rt or (self.rts[existing.rt_id] if existing else None)
        group_errors: list[Problem] = []
        if target_rt is None:
            group_errors.append(_problem(Code.REQUIRED, _("The RT of this KK is required."), "rt"))
        elif not self._in_scope(target_rt.pk):
            group_errors.append(
                _problem(Code.OUT_OF_SCOPE, _("This RT is outside your region."), "rt")
            )
        if existing is not None and not self._in_scope(existing.rt_id):
            group_errors.append(
                _problem(
                    Code.OUT_OF_SCOPE,
                    _(
                        "This KK number is registered in a region outside yours; the "
                        "kelurahan that holds it must move it."
                    ),
                    "no_kk",
                )
            )
        if not group_errors:
            instance = copy.copy(existing) if existing else Household(no_kk=group.no_kk)
            instance.rt = target_rt
            for name in HOUSEHOLD_IMPORT_FIELDS:
                if name in source.household_fields:
                    value = source.household_fields[name]
                    setattr(instance, name, "" if value is None and name != "issued_on" else value)
            group_errors += household_field_problems(instance)
            plan.instance = instance
        if group_errors:
            for _inp, row in pairs:
                row.errors.extend(group_errors)
            outcome.households[INVALID] += 1
            plan.instance = None
            return plan
        # Every member lives in the KK's RT.
        for inp, row in pairs:
            if inp.rt is not None and inp.rt.pk != target_rt.pk:
                row.errors.append(
                    _problem(
                        "kk_rt_mismatch",
                        _(
                            "This row puts KK %(kk)s in %(rt)s, but its head's row (or first "
                            "row) puts it in %(kk_rt)s. All members of one KK live in one RT."
                        )
                        % {
                            "kk": mask_nik(group.no_kk),
                            "rt": inp.rt.label,
                            "kk_rt": target_rt.label,
                        },
                        "rt",
                    )
                )
        if existing is None:
            plan.action = NEW
        else:
            plan.changed = _changed_fields(
                existing, plan.instance, ("rt_id", *HOUSEHOLD_IMPORT_FIELDS)
            )
            plan.action = UPDATED if plan.changed else UNCHANGED
            if "rt_id" in plan.changed:
                plan.moved_from_rt = existing.rt_id
        warnings = household_warnings(plan.instance, prefixes=self.prefixes)
        if warnings:
            next(row for inp, row in pairs if inp is source).warnings.extend(warnings)
        plan.members = self.members.get(existing.pk, []) if existing else []
        return plan

    def _match(self, inp: ResidentInput, plan: _HouseholdPlan | None) -> Resident | None:
        nik = inp.fields.get("nik")
        if nik and nik in self.by_nik:
            return self.by_nik[nik]
        name = inp.fields.get("name")
        birth = inp.fields.get("birth_date")
        if not name or not birth:
            return None
        key = (_name_key(name), birth)
        if plan is not None:
            # A resident without a NIK in this KK (possibly getting one now).
            candidates = [
                m for m in plan.members if not m.nik and (_name_key(m.name), m.birth_date) == key
            ]
        elif not nik and inp.rt is not None:
            candidates = self.loose.get((inp.rt.pk, *key), [])
        else:
            candidates = []
        return candidates[0] if len(candidates) == 1 else None

    def _check_resident(self, inp: ResidentInput, row: RowOutcome, plan: _HouseholdPlan | None):
        existing = self._match(inp, plan)
        if existing is not None and not self._in_scope(existing.rt_id):
            row.errors.append(
                _problem(
                    Code.OUT_OF_SCOPE,
                    _(
                        "This NIK is registered to a resident in a region outside yours; the "
                        "kelurahan that holds the record must move them."
                    ),
                    "nik",
                )
            )
            return None, None
        if plan is not None:
            rt = plan.instance.rt
        elif existing is not None and existing.household_id:
            # A member lives in the RT of their KK; the KK decides.
            rt = self.rts[existing.household.rt_id]
            if inp.rt is not None and inp.rt.pk != rt.pk:
                row.errors.append(
                    _problem(
                        "kk_rt_mismatch",
                        _(
                            "This resident is on a KK in %(kk_rt)s, so they live in that RT. "
                            "To move them, give the KK number they move to."
                        )
                        % {"kk_rt": rt.label},
                        "rt",
                    )
                )
                return None, None
        else:
            rt = inp.rt or (self.rts[existing.rt_id] if existing else None)
            if rt is None:
                row.errors.append(_problem(Code.REQUIRED, _("The RT is required."), "rt"))
                return None, None
            if not self._in_scope(rt.pk):
                row.errors.append(
                    _problem(Code.OUT_OF_SCOPE, _("This RT is outside your region."), "rt")
                )
                return None, None

        if existing is None:
            resident = _new_resident()
            for name, message in _REQUIRED_NEW.items():
                if inp.fields.get(name) in (None, ""):
                    row.errors.append(_problem(Code.REQUIRED, message, name))
            if row.errors:
                return None, None
        else:
            # Model.__getstate__ copies _state and its cache, so the preloaded
            # row stays as the database has it (the "before" of the audit).
            resident = copy.copy(existing)
        for name, value in inp.fields.items():
            if value is None or value == "":
                if name in _KEEP_WHEN_EMPTY:
                    continue
                value = "" if name in _CHAR_FIELDS else None
            setattr(resident, name, value)
        if resident.nik == "":
            resident.nik = None
        resident.rt = rt
        if plan is not None:
            if plan.existing is not None:
                resident.household = plan.existing
            else:
                resident.household = None  # set when the KK is saved
        elif existing is None:
            resident.household = None
        in_household = plan is not None or (existing is not None and existing.household_id)

        if existing is None and inp.checked_as_new:
            row.valid_as_new = True
        else:
            row.errors.extend(resident_field_problems(resident, in_household=bool(in_household)))
            row.valid_as_new = existing is None and not row.errors
        if row.errors:
            return None, None
        row.warnings.extend(
            resident_warnings(resident, prefixes=self.prefixes, open_stays=self.open_stays)
        )
        if existing is None:
            row.action = NEW
            return resident, None
        changed = [
            a
            for a in _RESIDENT_ATTNAMES
            if a != "updated_at" and getattr(existing, a) != getattr(resident, a)
        ]
        row.action = UPDATED if changed else UNCHANGED
        row.warnings.extend(_identity_change_warnings(existing, resident, changed))
        return resident, existing

    def _two_heads_problem(self) -> Problem:
        return _problem(
            "household_has_head",
            _("This household already has a head; change the current head first."),
            "relationship",
        )

    def _check_heads(self, plan: _HouseholdPlan | None, checked, pairs) -> None:
        """At most one living head per KK, counting the heads already in the database."""
        if plan is None or plan.instance is None:
            return
        file_heads = [
            (inp, row)
            for inp, row, (resident, _before) in checked
            if not row.errors and resident is not None and _is_living_head(resident)
        ]
        matched = {before.pk for _i, _r, (_res, before) in checked if before is not None}
        if not file_heads:
            self._warn_without_head(plan, checked, matched)
            return
        if len(file_heads) > 1:
            refs = ", ".join(str(inp.ref) for inp, _row in file_heads)
            for _inp, row in file_heads:
                row.errors.append(
                    _problem(
                        "two_heads",
                        _(
                            "KK %(kk)s has more than one living head of family in this file "
                            "(rows %(rows)s); a KK has exactly one head."
                        )
                        % {"kk": mask_nik(plan.no_kk), "rows": refs},
                        "relationship",
                    )
                )
            return
        # A row of this KK that was refused leaves its person as they are.
        refused = {inp.fields.get("nik") for inp, row in pairs if row.errors} - {None}
        for member in plan.members:
            if not _is_living_head(member) or member.pk in matched:
                continue
            if member.nik and member.nik in self.file_niks and member.nik not in refused:
                continue  # the file gives this person a new state in another KK
            file_heads[0][1].errors.append(self._two_heads_problem())

    def _warn_without_head(self, plan: _HouseholdPlan, checked, matched: set[int]) -> None:
        """A KK left without a living head (none in the file, none kept in the database)."""
        if any(_is_living_head(m) and m.pk not in matched for m in plan.members):
            return
        valid = [row for _inp, row, _state in checked if not row.errors]
        if not valid:
            return
        valid[0].warnings.append(
            _problem(
                "household_without_head",
                _(
                    "KK %(kk)s has no living head of family, neither in this file nor in "
                    "Lapor RT; mark one member's Hubungan Keluarga as Kepala Keluarga."
                )
                % {"kk": mask_nik(plan.no_kk)},
                "relationship",
            )
        )

    def _settle_household(self, plan: _HouseholdPlan, result, outcome: ChunkOutcome, pairs) -> None:
        if plan.instance is None:
            return
        if not result:
            # Nothing valid left in this KK: leave the KK alone too.
            outcome.households[INVALID] += 1
            plan.instance = None
            return
        outcome.households[plan.action] += 1

    # -- writes -----------------------------------------------------------------

    def _apply(self, plans) -> None:
        events = []
        now = self.now
        new_households = [p.instance for p, _r in plans if p and p.instance and p.action == NEW]
        insert_many(Household, new_households, now=now)
        events += self._created_events(new_households)
        changed_households = [p for p, _r in plans if p and p.instance and p.action == UPDATED]
        if changed_households:
            fields = sorted({f.removesuffix("_id") for p in changed_households for f in p.changed})
            for p in changed_households:
                p.instance.updated_at = now
            Household.objects.bulk_update(
                [p.instance for p in changed_households], [*fields, "updated_at"], batch_size=1000
            )
            for p in changed_households:
                before, after = snapshot(p.existing), snapshot(p.instance)
                events.append(
                    self._event(
                        Action.UPDATED, p.instance, diff(before, after), after, p.instance.rt
                    )
                )
        record_many(events)

        work: list[tuple[Resident, bool, Resident | None, RowOutcome]] = []
        for plan, result in plans:
            for _inp, row, (resident, before) in result:
                if plan is not None and plan.instance is not None:
                    resident.household = plan.instance
                    resident.rt = plan.instance.rt
                if row.action in (NEW, UPDATED):
                    work.append((resident, row.action == NEW, before, row))
        # Demotions first, so that a new head never meets the old one.
        demote = [
            w
            for w in work
            if w[2] is not None and _is_living_head(w[2]) and not _is_living_head(w[0])
        ]
        promote = [
            w
            for w in work
            if _is_living_head(w[0])
            and not (
                w[2] is not None
                and _is_living_head(w[2])
                and w[2].household_id == w[0].household_id
            )
        ]
        promote_ids = {id(w[0]) for w in promote}
        demote_ids = {id(w[0]) for w in demote}
        rest = [w for w in work if id(w[0]) not in promote_ids and id(w[0]) not in demote_ids]
        self._write_residents([(r, new, before) for r, new, before, _o in demote])
        self._write_residents([(r, new, before) for r, new, before, _o in rest])
        if promote:
            try:
                with transaction.atomic():
                    self._write_residents([(r, new, before) for r, new, before, _o in promote])
            except IntegrityError:
                # An old head is demoted by a row in a later chunk: write these at the end.
                for resident, new, _before, _row in promote:
                    if new:
                        resident.pk = None
                        resident._state.adding = True
                self._deferred.extend(promote)
        self._move_members([p for p, _r in plans if p and p.instance and p.moved_from_rt])

    def _write_residents(self, items: list[tuple[Resident, bool, Resident | None]]) -> None:
        if not items:
            return
        now = self.now
        creates = [r for r, new, _b in items if new]
        updates = [(r, b) for r, new, b in items if not new]
        for r in creates:
            r.household_id = r.household.pk if r.household is not None else None
        insert_many(Resident, creates, now=now)
        events = self._created_events(creates)
        if updates:
            fields = set()
            for r, before in updates:
                r.household_id = r.household.pk if r.household is not None else None
                r.updated_at = now
                fields.update(
                    name
                    for name, attname in _RESIDENT_DB_ATTS
                    if getattr(before, attname) != getattr(r, attname)
                )
            # TODO(issue 5): bulk_update writes a CASE per field and row; a file that
            # changes most of 100,000 residents would be faster as COPY into a temporary
            # table and one UPDATE ... FROM. Do it when such files show up.
            Resident.objects.bulk_update(
                [r for r, _b in updates], [*sorted(fields), "updated_at"], batch_size=1000
            )
            for r, before in updates:
                b, a = snapshot(before), snapshot(r)
                events.append(self._event(Action.UPDATED, r, diff(b, a), a, r.rt))
        record_many(events)

    def _move_members(self, moved: list[_HouseholdPlan]) -> None:
        """Members the file does not mention follow their KK to its new RT."""
        if not moved:
            return
        by_household = {p.instance.pk: p for p in moved}
        stays = [
            (pk, household_id)
            for pk, household_id, rt_id in Resident.objects.filter(
                household_id__in=by_household
            ).values_list("pk", "household_id", "rt_id")
            if rt_id != by_household[household_id].instance.rt_id
        ]
        targets: dict[int, list[int]] = defaultdict(list)
        for pk, household_id in stays:
            targets[by_household[household_id].instance.rt_id].append(pk)
        for rt_id, ids in targets.items():
            Resident.objects.filter(pk__in=ids).update(rt_id=rt_id, updated_at=self.now)
        record_many(
            build_event(
                actor=self.actor,
                action=Action.UPDATED,
                entity_type="population.resident",
                entity_id=pk,
                entity_label=f"{Resident._meta.verbose_name} #{pk}",
                changes={
                    "rt": [
                        by_household[household_id].moved_from_rt,
                        by_household[household_id].instance.rt_id,
                    ]
                },
                rt=by_household[household_id].instance.rt,
                note="household moved",
            )
            for pk, household_id in stays
        )

    def _created_events(self, instances: list) -> list:
        """One event per new record holding its whole snapshot (as a single creation does)."""
        if not instances:
            return []
        return build_events(instances, actor=self.actor, action=Action.CREATED, note=self.note)

    def _event(self, action, instance, changes, after, rt):
        labels = self._labels
        model = type(instance)
        if model not in labels:
            labels[model] = str(model._meta.verbose_name)
        return build_event(
            actor=self.actor,
            action=action,
            instance=instance,
            entity_label=f"{labels[model]} #{instance.pk}",
            changes=changes,
            snapshot=after,
            rt=rt,
            note=self.note,
        )
