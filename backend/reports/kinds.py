"""What each report kind holds, the checks it must pass, and what its approval does.

``clean(kind, ctx, data)`` turns a door's input (model field names; other
objects as ``*_id`` or, for a resident, ``resident_nik``) into detail values:
references are resolved through the actor's scope, so an id from another
region is "not found". It returns the values, the refusals and the soft
warnings. ``apply_approval(actor, report)`` applies the kind's effect in the
approving transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import diff, record, snapshot
from backend.common.errors import Code, DomainError, Problem
from backend.population import codes, identity
from backend.population import selectors as population_selectors
from backend.population import services as population_services
from backend.population.models import Resident
from backend.reports import choices, selectors
from backend.reports.choices import Kind, State
from backend.reports.models import (
    DETAIL_MODELS,
    MAX_AMOUNT,
    MAX_PARTICIPANTS,
    NonPermanentStay,
    Report,
    StayEndDetail,
    StayPerson,
)

# Death reports are due within 30 days (UU 24/2013 Pasal 44(1)).
DEATH_REPORT_DAYS = 30
BBGRM_MONTH = 5
# MAX_PARTICIPANTS and MAX_AMOUNT (backend.reports.models) bound these.
AMOUNT_FIELDS = ("labour_value", "materials_value", "cash_value", "government_value")
STAY_PERSON_FIELDS = tuple(
    f.name for f in StayPerson._meta.get_fields() if f.concrete and f.name != "id"
)


class ReportCode:
    ALREADY_DECIDED = "already_decided"
    NOT_SUBMITTED = "report_not_submitted"
    ALREADY_SUBMITTED = "already_submitted"
    NOT_EDITABLE = "report_not_editable"
    CLIENT_KEY_REUSED = "client_key_reused"
    DATE_IN_FUTURE = "date_in_future"
    DATE_TOO_OLD = "date_too_old"
    NIHIL_EXISTS = "nihil_already_reported"
    NIHIL_AFTER_REPORTS = "nihil_after_reports"
    NIHIL_SAME_DAY = "nihil_same_day"
    RESIDENT_DECEASED = "resident_already_deceased"
    RESIDENT_NOT_LIVING = "resident_not_living_here"
    RESIDENT_OUTSIDE_RT = "resident_outside_rt"
    DEATH_PENDING = "death_report_pending"
    STAY_OPEN = "stay_already_open"
    STAY_CLOSED = "stay_already_closed"
    STAY_END_PENDING = "stay_end_pending"
    STAY_TOO_LONG = "stay_too_long"
    PERMANENT_RESIDENT = "permanent_resident"
    REGISTERED_NON_PERMANENT = "registered_non_permanent"
    REGISTERED_RESIDENT = "registered_resident"
    OUTSIDE_RT = "outside_rt"
    TOO_LARGE = "too_large"
    REASON_REQUIRED = "reason_required"
    OWN_REPORT = "own_report"
    LATE_DEATH_REPORT = "late_death_report"
    BBGRM_OUTSIDE_MAY = "bbgrm_outside_may"


class Lookups(Protocol):
    """Answers a bulk path preloads for a whole chunk, so that checking a row
    costs no query (``backend.reports.bulk``); the single services leave
    ``Context.lookups`` empty and ask the database."""

    def resident(self, *, resident_id: int | None, nik: str) -> Resident | None:
        """The resident in the actor's scope, or None."""

    def death_reported(self, resident_id: int, *, exclude: Report | None) -> bool:
        """Whether a death report for the resident is waiting or approved."""

    def nihil_reported(self, rt_id: int, day: date, *, exclude: Report | None) -> bool:
        """Whether the RT already reported nothing for that day (not rejected)."""


@dataclass
class Context:
    actor: Any
    rt: Any
    report_date: date
    today: date
    report: Report | None = None
    lookups: Lookups | None = None


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def refuse(self, code: str, message, field_name: str | None) -> None:
        self.problems.append(Problem(code, message, field_name))

    def warn(self, code: str, message, field_name: str | None) -> None:
        self.warnings.append(Problem(code, message, field_name))


_REQUIRED_CODES = {"blank", "null", "required"}

#: How a field is named in an error where its model's verbose name alone would be
#: unclear ("kegiatan wajib diisi" for an activity's title).
FIELD_LABELS: dict[tuple[str, str], Any] = {
    (Kind.ACTIVITY, "title"): _("activity title"),
    (Kind.GOTONG_ROYONG, "title"): _("activity title"),
    (Kind.ISSUE, "title"): _("title of the report"),
    (Kind.ISSUE, "description"): _("description of the report"),
}


def field_label(kind: str, name: str) -> str:
    """The field as the error messages name it, e.g. "Judul kegiatan"."""
    label = FIELD_LABELS.get((kind, name))
    if label is None:
        label = DETAIL_MODELS[kind]._meta.get_field(name).verbose_name
    return capfirst(str(label))


def _model_problems(kind: str, values: dict[str, Any], exclude: list[str]) -> list[Problem]:
    """Required fields, lengths and choices, as the detail model declares them; each
    message names its field ("Judul kegiatan wajib diisi.")."""
    model = DETAIL_MODELS[kind]
    instance = model(**{k: v for k, v in values.items() if k not in exclude})
    try:
        instance.full_clean(
            exclude=["report", *exclude], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        problems = []
        for name, errors in exc.error_dict.items():
            label = field_label(kind, name)
            for error in errors:
                if error.code in _REQUIRED_CODES:
                    problems.append(
                        Problem(Code.REQUIRED, _("%(field)s is required.") % {"field": label}, name)
                    )
                else:
                    message = " ".join(error.messages)
                    problems.append(Problem(Code.INVALID, f"{label}: {message}", name))
        return problems
    return []


# Invisible characters a text field never needs: zero-width spaces and joiners, the
# byte-order mark, and direction overrides that can make a title read backwards.
_INVISIBLE = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2060, 0xFEFF]
)


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    return " ".join(str(value).translate(_INVISIBLE).split()) if value is not None else ""


def _long_text(data: dict, name: str) -> str:
    value = data.get(name)
    return str(value).translate(_INVISIBLE).strip() if value is not None else ""


def _take(data: dict, names: tuple[str, ...], *, long: tuple[str, ...] = ()) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = _long_text(data, name) if name in long else _text(data, name)
        values[name] = value
    return values


def _now_wita_time():
    from django.utils import timezone

    return timezone.localtime().time().replace(tzinfo=None)


def _not_future(cleaned: Cleaned, value: date | None, today: date, name: str) -> None:
    if value is not None and value > today:
        cleaned.refuse(ReportCode.DATE_IN_FUTURE, _("The date cannot be in the future."), name)


def _count_at_least_one(cleaned: Cleaned, value, name: str) -> None:
    if value is None:
        return
    if value < 1:
        cleaned.refuse(Code.INVALID, _("At least one participant."), name)
    elif value > MAX_PARTICIPANTS:
        cleaned.refuse(
            ReportCode.TOO_LARGE,
            _("At most %(max)s participants.") % {"max": thousands(MAX_PARTICIPANTS)},
            name,
        )


def _amount(cleaned: Cleaned, name: str) -> None:
    value = cleaned.values.get(name)
    if value is None:
        cleaned.values[name] = 0
    elif value < 0:
        cleaned.refuse(Code.INVALID, _("An amount cannot be negative."), name)
    elif value > MAX_AMOUNT:
        cleaned.refuse(
            ReportCode.TOO_LARGE,
            _("At most Rp %(max)s.") % {"max": thousands(MAX_AMOUNT)},
            name,
        )


def thousands(value: int) -> str:
    """1500000 as Indonesians write it: 1.500.000."""
    return f"{value:,}".replace(",", ".")


# -- kinds -------------------------------------------------------------------


def _clean_activity(ctx: Context, data: dict) -> Cleaned:
    cleaned = Cleaned(
        _take(
            data,
            ("category", "title", "place", "start_time", "participants", "description"),
            long=("description",),
        )
    )
    _count_at_least_one(cleaned, cleaned.values.get("participants"), "participants")
    return cleaned


def _resolve_resident(ctx: Context, data: dict, cleaned: Cleaned) -> Resident | None:
    resident_id, nik = data.get("resident_id"), _text(data, "resident_nik")
    if not resident_id and not nik:
        cleaned.refuse(
            Code.REQUIRED, _("Choose the deceased resident or enter their NIK."), "resident"
        )
        return None
    found = None
    if ctx.lookups is not None:
        found = ctx.lookups.resident(
            resident_id=resident_id, nik=identity.clean_number_text(nik) if nik else ""
        )
    else:
        try:
            if resident_id:
                found = population_selectors.resident_get(actor=ctx.actor, pk=resident_id)
            else:
                found = population_selectors.resident_get_by_nik(
                    actor=ctx.actor, nik=identity.clean_number_text(nik)
                )
        except DomainError:
            found = None
    if found is None:
        cleaned.refuse(
            Code.NOT_FOUND,
            _("No resident with this NIK or id in your region."),
            "resident",
        )
    return found


def _clean_death(ctx: Context, data: dict) -> Cleaned:
    cleaned = Cleaned(
        _take(
            data,
            (
                "death_date",
                "death_time",
                "place",
                "place_detail",
                "cause",
                "certifier",
                "informant_name",
                "informant_relationship",
                "informant_nik",
                "burial_place",
                "burial_date",
            ),
        )
    )
    values = cleaned.values
    resident = _resolve_resident(ctx, data, cleaned)
    values["resident"] = resident
    death_date = values.get("death_date")
    _not_future(cleaned, death_date, ctx.today, "death_date")
    death_time = values.get("death_time")
    if death_date == ctx.today and death_time is not None and death_time > _now_wita_time():
        cleaned.refuse(
            ReportCode.DATE_IN_FUTURE, _("The time of death cannot be in the future."), "death_time"
        )
    if resident is not None:
        if resident.rt_id != ctx.rt.pk:
            cleaned.refuse(
                ReportCode.RESIDENT_OUTSIDE_RT,
                _("This resident does not live in this RT."),
                "resident",
            )
        elif resident.status == codes.LifeStatus.DECEASED:
            cleaned.refuse(
                ReportCode.RESIDENT_DECEASED,
                _("This resident is already recorded as deceased."),
                "resident",
            )
        elif resident.status != codes.LifeStatus.ALIVE:
            cleaned.refuse(
                ReportCode.RESIDENT_NOT_LIVING,
                _("This resident is no longer recorded as living here (moved or left)."),
                "resident",
            )
        elif _death_reported(ctx, resident):
            cleaned.refuse(
                ReportCode.DEATH_PENDING,
                _("A death report for this resident is already waiting for a decision."),
                "resident",
            )
        if (
            death_date
            and death_date < resident.birth_date
            and ctx.actor.scope.can(Cap.POPULATION_VIEW_NIK, ctx.rt)
        ):
            # Only for who may see birth dates: for a Ketua RT this answer would let
            # them find a neighbour's birth date (and so the NIK) by trying dates.
            # Their report goes to the kelurahan, whose approval checks it.
            cleaned.refuse(
                Code.INVALID, _("The date of death is before the date of birth."), "death_date"
            )
    # Late compared with the day of the report (today for the phone app; the
    # recorded day for a historical import).
    if death_date and death_date < ctx.report_date - timedelta(days=DEATH_REPORT_DAYS):
        cleaned.warn(
            ReportCode.LATE_DEATH_REPORT,
            _("The death is reported more than 30 days after it happened."),
            "death_date",
        )
    burial = values.get("burial_date")
    _not_future(cleaned, burial, ctx.today, "burial_date")
    if burial and death_date and burial < death_date:
        cleaned.refuse(
            Code.INVALID, _("The burial date is before the date of death."), "burial_date"
        )
    if values.get("informant_nik"):
        values["informant_nik"] = identity.clean_number_text(values["informant_nik"])
        for problem in identity.nik_errors(values["informant_nik"]):
            cleaned.refuse(problem.code, problem.message, "informant_nik")
    return cleaned


def _death_reported(ctx: Context, resident: Resident) -> bool:
    if ctx.lookups is not None:
        return ctx.lookups.death_reported(resident.pk, exclude=ctx.report)
    others = DETAIL_MODELS[Kind.DEATH].objects.filter(
        resident=resident,
        report__state__in=[State.SUBMITTED, State.REVISION_REQUESTED, State.APPROVED],
    )
    if ctx.report is not None:
        others = others.exclude(report=ctx.report)
    return others.exists()


def _clean_stay_start(ctx: Context, data: dict) -> Cleaned:
    names = tuple(n for n in STAY_PERSON_FIELDS if n != "host_household")
    cleaned = Cleaned(_take(data, names))
    values = cleaned.values
    values.setdefault("nik", "")
    values.setdefault("passport_number", "")
    household_id = data.get("host_household_id")
    values["host_household"] = None
    if household_id:
        try:
            household = population_selectors.household_get(actor=ctx.actor, pk=household_id)
        except DomainError:
            cleaned.refuse(Code.NOT_FOUND, _("Household not found."), "host_household")
        else:
            if household.rt_id != ctx.rt.pk:
                cleaned.refuse(
                    ReportCode.OUTSIDE_RT,
                    _("This household is not in this RT."),
                    "host_household",
                )
            values["host_household"] = household
    elif not values.get("host_address"):
        cleaned.refuse(
            Code.REQUIRED,
            _("Choose the host household or enter the address in the RT."),
            "host_address",
        )

    citizenship = values.get("citizenship", codes.Citizenship.WNI)
    nik = identity.clean_number_text(values["nik"]) if values["nik"] else ""
    values["nik"] = nik
    if nik:
        for problem in identity.nik_errors(nik):
            cleaned.refuse(problem.code, problem.message, "nik")
    elif citizenship == codes.Citizenship.WNA:
        values["passport_number"] = normal_passport(values["passport_number"])
        if values["passport_number"]:
            _check_open_stay(ctx, "passport_number", values["passport_number"], cleaned)
        if not values["passport_number"]:
            cleaned.refuse(
                Code.REQUIRED,
                _("Enter the passport number of a foreign citizen."),
                "passport_number",
            )
    else:
        cleaned.refuse(Code.REQUIRED, _("Enter the NIK."), "nik")

    birth = values.get("birth_date")
    _not_future(cleaned, birth, ctx.today, "birth_date")
    if birth is not None and birth.year < 1900:
        cleaned.refuse(Code.INVALID, _("The date of birth is before 1900."), "birth_date")
    start, end = values.get("start_date"), values.get("expected_end_date")
    _not_future(cleaned, start, ctx.today, "start_date")
    if start and start <= selectors.stay_limit_dates(ctx.today)[1]:
        cleaned.refuse(
            ReportCode.STAY_TOO_LONG,
            _(
                "This person has lived here for a year or more: that is a formal move "
                "(surat pindah), not a non-permanent stay."
            ),
            "start_date",
        )
    if start and end:
        if end < start:
            cleaned.refuse(
                Code.INVALID, _("The expected end is before the arrival."), "expected_end_date"
            )
        elif end > selectors.stay_one_year_mark(start):
            cleaned.refuse(
                ReportCode.STAY_TOO_LONG,
                _(
                    "A non-permanent stay lasts at most one year (Permendagri 74/2022); "
                    "a longer stay needs a formal move."
                ),
                "expected_end_date",
            )
    if nik and not any(p.field == "nik" for p in cleaned.problems):
        # As the population register does: the sex and birth date a NIK encodes
        # differ from those entered, worth a look but never a refusal.
        cleaned.warnings += identity.nik_warnings(
            nik, sex=values.get("sex"), birth_date=values.get("birth_date")
        )
        _check_stay_nik(ctx, nik, cleaned)
    return cleaned


def _check_stay_nik(ctx: Context, nik: str, cleaned: Cleaned) -> None:
    """One open (or pending) stay per NIK in the whole city, and none for a NIK in the
    register of the RT's kelurahan (``registered_resident_problem``)."""
    if _check_open_stay(ctx, "nik", nik, cleaned):
        return
    problem = registered_resident_problem(nik, ctx.rt)
    if problem is not None:
        cleaned.problems.append(problem)


def _check_open_stay(ctx: Context, field: str, value: str, cleaned: Cleaned) -> bool:
    """One open (or pending) stay per person (``field``: their NIK or passport number) in
    the whole city; returns whether an open stay exists.

    The refusal says where only when it is the reporter's own RT, which they
    see anyway; elsewhere it says just "elsewhere", never which RT or
    kelurahan (the rule itself still tells that the person has a stay somewhere).
    """
    open_rt = (
        NonPermanentStay.objects.filter(**{field: value}, end_date__isnull=True)
        .values_list("rt_id", flat=True)
        .first()
    )
    pending = DETAIL_MODELS[Kind.STAY_START].objects.filter(
        **{field: value}, report__state__in=[State.SUBMITTED, State.REVISION_REQUESTED]
    )
    if ctx.report is not None:
        pending = pending.exclude(report=ctx.report)
    pending_rt = (
        None if open_rt is not None else pending.values_list("report__rt_id", flat=True).first()
    )
    if open_rt == ctx.rt.pk:
        cleaned.refuse(
            ReportCode.STAY_OPEN,
            _("This person already has an open stay in this RT; end it first."),
            field,
        )
    elif pending_rt == ctx.rt.pk:
        cleaned.refuse(
            ReportCode.STAY_OPEN,
            _("An arrival report for this person in this RT is already waiting for a decision."),
            field,
        )
    elif open_rt is not None or pending_rt is not None:
        cleaned.refuse(ReportCode.STAY_OPEN, STAY_ELSEWHERE, field)
    return open_rt is not None


def normal_passport(value: str) -> str:
    """A passport or KITAS number as compared: upper case, without spaces."""
    return "".join((value or "").split()).upper()


def guard_subject(kind: str, ctx: Context, values: dict) -> None:
    """Inside the saving transaction: one report at a time about one subject, checked again.

    ``clean`` runs before the transaction, so two requests about the same person
    at the same moment (a double tap, two Ketua RT) would both pass it. Here the
    subject is locked (the resident's row; for an arrival, a transaction lock on
    its NIK or passport number, PostgreSQL; SQLite runs one writing transaction
    at a time anyway) and the duplicate checks run again; the loser is refused.
    """
    if kind == Kind.DEATH and values.get("resident") is not None:
        resident = values["resident"]
        list(Resident.objects.select_for_update().filter(pk=resident.pk).values_list("pk"))
        if _death_reported(ctx, resident):
            raise DomainError(
                ReportCode.DEATH_PENDING,
                _("A death report for this resident is already waiting for a decision."),
                field="resident",
            )
    elif kind == Kind.STAY_START:
        nik, passport = values.get("nik"), values.get("passport_number")
        for name, value in (("nik", nik), ("passport", passport)):
            if value:
                _transaction_lock(f"stay:{name}:{value}")
        again = Cleaned()
        if nik:
            _check_stay_nik(ctx, nik, again)
        elif passport:
            _check_open_stay(ctx, "passport_number", passport, again)
        refusals = [p for p in again.problems if p.code == ReportCode.STAY_OPEN]
        if refusals:
            raise DomainError.from_problems(refusals)


def _transaction_lock(key: str) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_SPACE, key])


# The first key of pg_advisory_xact_lock(int, int) for report subjects ("lapor").
_LOCK_SPACE = 1_503_727


STAY_ELSEWHERE = _(
    "This person already has an open or pending stay elsewhere; the kelurahan office can "
    "help end it."
)


def registered_resident_problem(nik: str, rt) -> Problem | None:
    """Why a stay cannot open for ``nik`` in ``rt``: the NIK is a living resident in
    the register of the RT's kelurahan (None when it is not).

    The register and the stays are counted together as non-permanent residents
    (``backend.population.stats``), so one person is never in both in one
    kelurahan: someone registered here who lives in another of its RTs has moved
    within the kelurahan (a change of address the kelurahan records), and a
    non-permanent resident already in the register is updated there. A person
    whose KK is in another kelurahan (the usual boarder) may open a stay.
    """
    resident = (
        Resident.objects.filter(
            nik=nik, rt__kelurahan_id=rt.kelurahan_id, status=codes.LifeStatus.ALIVE
        )
        .only("rt_id", "residency")
        .first()
    )
    if resident is None:
        return None
    if resident.rt_id == rt.pk and resident.residency == codes.Residency.PERMANENT:
        return Problem(
            ReportCode.PERMANENT_RESIDENT,
            _("This NIK belongs to a permanent resident of this RT."),
            "nik",
        )
    if resident.residency == codes.Residency.NON_PERMANENT:
        return Problem(
            ReportCode.REGISTERED_NON_PERMANENT,
            _(
                "This NIK is already in the kelurahan's register as a non-permanent "
                "resident; the kelurahan updates that record instead."
            ),
            "nik",
        )
    return Problem(
        ReportCode.REGISTERED_RESIDENT,
        _(
            "This NIK belongs to a resident registered in this kelurahan: a move within "
            "the kelurahan is a change of address the kelurahan records, not a "
            "non-permanent stay."
        ),
        "nik",
    )


def _clean_stay_end(ctx: Context, data: dict) -> Cleaned:
    cleaned = Cleaned(_take(data, ("end_date", "reason")))
    values = cleaned.values
    stay = None
    if not data.get("stay_id"):
        cleaned.refuse(Code.REQUIRED, _("Choose the stay that ends."), "stay")
    else:
        try:
            stay = selectors.stay_get(actor=ctx.actor, pk=data["stay_id"])
        except DomainError:
            cleaned.refuse(Code.NOT_FOUND, _("Stay not found."), "stay")
    values["stay"] = stay
    end = values.get("end_date")
    _not_future(cleaned, end, ctx.today, "end_date")
    if stay is not None:
        if stay.rt_id != ctx.rt.pk:
            cleaned.refuse(ReportCode.OUTSIDE_RT, _("This stay is not in this RT."), "stay")
        elif not stay.is_open:
            cleaned.refuse(ReportCode.STAY_CLOSED, _("This stay has already ended."), "stay")
        else:
            pending = StayEndDetail.objects.filter(
                stay=stay, report__state__in=[State.SUBMITTED, State.REVISION_REQUESTED]
            )
            if ctx.report is not None:
                pending = pending.exclude(report=ctx.report)
            if pending.exists():
                cleaned.refuse(
                    ReportCode.STAY_END_PENDING,
                    _("An end-of-stay report for this stay is already waiting for a decision."),
                    "stay",
                )
        if end and end < stay.start_date:
            cleaned.refuse(Code.INVALID, _("The stay cannot end before it began."), "end_date")
    return cleaned


def _clean_gotong_royong(ctx: Context, data: dict) -> Cleaned:
    cleaned = Cleaned(
        _take(
            data,
            (
                "activity_type",
                "title",
                "place",
                "participants",
                "output",
                "labour_value",
                "materials_value",
                "cash_value",
                "government_value",
                "is_bbgrm",
                "description",
            ),
            long=("description",),
        )
    )
    values = cleaned.values
    institutions = data.get("institutions") or []
    valid = set(choices.Institution.values)
    unknown = [i for i in institutions if i not in valid]
    if unknown:
        cleaned.refuse(Code.INVALID, _("Unknown institution."), "institutions")
    values["institutions"] = sorted({str(i) for i in institutions if i in valid})
    _count_at_least_one(cleaned, values.get("participants"), "participants")
    for name in AMOUNT_FIELDS:
        _amount(cleaned, name)
    values["is_bbgrm"] = bool(values.get("is_bbgrm"))
    if values["is_bbgrm"] and ctx.report_date.month != BBGRM_MONTH:
        cleaned.warn(
            ReportCode.BBGRM_OUTSIDE_MAY,
            _("BBGRM is usually held in May; check the BBGRM mark."),
            "is_bbgrm",
        )
    return cleaned


def _clean_issue(ctx: Context, data: dict) -> Cleaned:
    return Cleaned(
        _take(
            data,
            ("issue_type", "category", "title", "location", "description"),
            long=("description",),
        )
    )


CLEANERS: dict[str, Callable[[Context, dict], Cleaned]] = {
    Kind.ACTIVITY: _clean_activity,
    Kind.DEATH: _clean_death,
    Kind.STAY_START: _clean_stay_start,
    Kind.STAY_END: _clean_stay_end,
    Kind.GOTONG_ROYONG: _clean_gotong_royong,
    Kind.ISSUE: _clean_issue,
}
# Detail fields set from references, not checked by the model's full_clean.
REFERENCES = {
    Kind.DEATH: ["resident"],
    Kind.STAY_START: ["host_household"],
    Kind.STAY_END: ["stay"],
}
PHOTO_KINDS = frozenset({Kind.ACTIVITY, Kind.GOTONG_ROYONG, Kind.ISSUE})


def clean(kind: str, ctx: Context, data: dict) -> Cleaned:
    """Check a kind's input; refusals in ``problems``, soft warnings in ``warnings``."""
    if kind == Kind.NIHIL:
        cleaned = Cleaned()
        _check_nihil(ctx, cleaned)
        return cleaned
    cleaned = CLEANERS[kind](ctx, data)
    _warn_after_nihil(ctx, cleaned)
    _blank_for_null(kind, cleaned.values)
    exclude = REFERENCES.get(kind, [])
    known = {p.field for p in cleaned.problems}
    cleaned.problems += [
        p for p in _model_problems(kind, cleaned.values, exclude) if p.field not in known
    ]
    return cleaned


# A nihil report counts once sent: a draft (never sent, read by its reporter
# only) or a rejected one blocks nobody (the models' one_nihil_report_per_rt_and_day).
NIHIL_NOT_COUNTED = (State.DRAFT, State.REJECTED)
# Reports that make "nothing to report" untrue for their day: sent and not
# refused (a withdrawn report is a draft again, a rejected one was not accepted).
SENT_NOT_REFUSED = (State.SUBMITTED, State.REVISION_REQUESTED, State.APPROVED)


def _blank_for_null(kind: str, values: dict[str, Any]) -> None:
    """An optional text or choice the door sent as null (``housing: null``) is stored
    empty: those columns are NOT NULL, and "not given" is the empty string there."""
    for f in DETAIL_MODELS[kind]._meta.concrete_fields:
        if (
            values.get(f.name, "") is None
            and f.blank
            and not f.null
            and f.empty_strings_allowed
            and not f.is_relation
        ):
            values[f.name] = ""


def _check_nihil(ctx: Context, cleaned: Cleaned) -> None:
    if ctx.lookups is not None:
        reported = ctx.lookups.nihil_reported(ctx.rt.pk, ctx.report_date, exclude=ctx.report)
    else:
        others = Report.objects.filter(
            rt=ctx.rt, report_date=ctx.report_date, kind=Kind.NIHIL
        ).exclude(state__in=NIHIL_NOT_COUNTED)
        if ctx.report is not None:
            others = others.exclude(pk=ctx.report.pk)
        reported = others.exists()
    if reported:
        cleaned.refuse(
            ReportCode.NIHIL_EXISTS,
            _("This RT already reported nothing for that day."),
            "report_date",
        )
        return
    # "Nothing to report" contradicts a report the RT already sent for that day.
    # Historical imports (``ctx.lookups``) keep what the kelurahan's books say.
    if ctx.lookups is None and _sent_reports(ctx).exclude(kind=Kind.NIHIL).exists():
        cleaned.refuse(
            ReportCode.NIHIL_AFTER_REPORTS,
            _(
                "This RT already sent a report for that day, so it cannot also report "
                "that there was nothing to report (nihil)."
            ),
            "report_date",
        )


def _sent_reports(ctx: Context):
    others = Report.objects.filter(
        rt=ctx.rt, report_date=ctx.report_date, state__in=SENT_NOT_REFUSED
    )
    return others.exclude(pk=ctx.report.pk) if ctx.report is not None else others


def _warn_after_nihil(ctx: Context, cleaned: Cleaned) -> None:
    """A real report after the RT's nihil for the same day is accepted, with a warning.

    Something did happen after all, and the RT must be able to report it (a
    death cannot wait). The nihil stays as it is: it was approved on
    submission, and a decision is final. Compliance counts the day once either
    way (a period is reported when any counted report is dated in it).
    """
    if ctx.lookups is not None:
        return
    if _sent_reports(ctx).filter(kind=Kind.NIHIL).exists():
        cleaned.warn(
            ReportCode.NIHIL_SAME_DAY,
            _(
                "This RT reported nothing (nihil) for that day; this report is accepted "
                "as well, and the day counts once."
            ),
            "report_date",
        )


# -- approval effects ----------------------------------------------------------


def apply_approval(*, actor, report: Report) -> None:
    """The effect of approving ``report``, inside the approving transaction."""
    effect = _EFFECTS.get(report.kind)
    if effect is not None:
        effect(actor, report)


def _approve_death(actor, report: Report) -> None:
    detail = report.deathdetail
    resident = Resident.objects.select_related("rt").get(pk=detail.resident_id)
    if resident.rt_id != report.rt_id:
        raise DomainError(
            ReportCode.RESIDENT_OUTSIDE_RT,
            _("This resident no longer lives in this RT."),
            field="resident",
        )
    population_services.resident_mark_deceased(
        actor=actor, resident=resident, death_date=detail.death_date, note=report.label
    )


@dataclass
class DeathEffects:
    """What approving a death report will do (shown before the approval is confirmed)."""

    resident: Resident
    death_date: date
    household: Any  # the deceased's KK, or None
    is_head: bool
    widowed: list[Resident]


def death_effects(report: Report) -> DeathEffects | None:
    """The changes ``_approve_death`` will make, computed without making them: the
    resident recorded deceased from the date of death, the surviving married
    spouses recorded cerai mati, the KK flagged for a new card (with a new head
    when the head died). None for another kind or a resident no longer living."""
    if report.kind != Kind.DEATH:
        return None
    detail = report.deathdetail
    resident = Resident.objects.select_related("household").get(pk=detail.resident_id)
    if resident.status != codes.LifeStatus.ALIVE:
        return None
    return DeathEffects(
        resident=resident,
        death_date=detail.death_date,
        household=resident.household,
        is_head=resident.is_head,
        widowed=population_services.surviving_spouses(resident),
    )


def _approve_stay_start(actor, report: Report) -> None:
    detail = report.staystartdetail
    # The register may have changed since the report was sent (an import).
    problem = registered_resident_problem(detail.nik, report.rt) if detail.nik else None
    if problem is not None:
        raise DomainError(problem.code, problem.message, field=problem.field)
    stay = NonPermanentStay(
        rt=report.rt,
        opened_by=report,
        **{name: getattr(detail, name) for name in STAY_PERSON_FIELDS},
    )
    try:
        with transaction.atomic():
            stay.save()
    except IntegrityError:
        raise DomainError(
            ReportCode.STAY_OPEN,
            _("This person already has an open stay; end it first."),
            field="nik" if detail.nik else "passport_number",
        ) from None
    after = snapshot(stay)
    record(
        actor=actor,
        action=Action.CREATED,
        instance=stay,
        changes=diff({}, after),
        snapshot=after,
        rt=report.rt,
        note=report.label,
    )


def _approve_stay_end(actor, report: Report) -> None:
    detail = report.stayenddetail
    stay = NonPermanentStay.objects.select_for_update().get(pk=detail.stay_id)
    if not stay.is_open:
        raise DomainError(ReportCode.STAY_CLOSED, _("This stay has already ended."), field="stay")
    if detail.end_date < stay.start_date:
        raise DomainError(Code.INVALID, _("The stay cannot end before it began."), field="end_date")
    before = snapshot(stay)
    stay.end_date = detail.end_date
    stay.end_reason = detail.reason
    stay.closed_by = report
    stay.save(update_fields=["end_date", "end_reason", "closed_by", "updated_at"])
    record(
        actor=actor,
        action=Action.UPDATED,
        instance=stay,
        changes=diff(before, snapshot(stay)),
        rt=report.rt,
        note=report.label,
    )


_EFFECTS: dict[str, Callable[[Any, Report], None]] = {
    Kind.DEATH: _approve_death,
    Kind.STAY_START: _approve_stay_start,
    Kind.STAY_END: _approve_stay_end,
}
