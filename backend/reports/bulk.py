"""Bulk creation of reports: the historical reports a kelurahan imports from spreadsheets.

The same rules as ``services.report_save`` (each kind's checks in
``backend.reports.kinds``, references resolved through the actor's scope, no
date in the future, the deceased must live in the report's RT) applied to a
chunk of rows at a time: whatever a check would ask the database is
preloaded for the whole chunk (``ReportBulkImport`` answers
``kinds.Lookups``), new reports and their details are written with
``bulk_create`` and audited with ``record_many``. The number of queries per
chunk does not depend on the number of rows in it. The caller owns the
transaction (an import runs in one).

What an imported report becomes, and why:

- **approved**, as a historical record decided by the importer: the
  spreadsheet is the kelurahan's own register of reports it already
  received and dealt with on paper. Putting hundreds of old reports in the
  approval queue would bury the reports that really wait, and nobody could
  meaningfully review them again. Compliance counts them like any approved
  report, so the RT's history is complete.
- **submitted** (waiting for a decision) when approving would change the
  population: a death report whose resident is still recorded as living.
  Its approval, by someone other than the importer, marks the resident
  deceased through ``report_approve`` with every rule that goes with it
  (surviving spouse, KK flagged), exactly once.
- A death report whose resident is already recorded as deceased on that date
  (e.g. by a residents import from SIAK) is approved without touching the
  population: the effect is never applied twice. A different recorded date
  is an error to resolve first.
- Non-permanent residents' reports (stays) are not imported: see
  ``NOT_IMPORTABLE``.

Re-importing changes nothing. A row is matched to an existing report that is
not rejected, whoever filed it and through whichever door:

- by its report number (``report_id``, written by the export), else
- by its natural key: a death report by the deceased (a person dies once);
  a nihil report by RT and day; any other report by kind, RT, day and title.

A matched row is unchanged when the values the file gives equal the
report's; otherwise it is an error: an import never edits a report. A new
report's client key is derived from its natural key (``import-<hash>-<n>``,
``n`` counting the rejected reports with that key), so it is the same for
the same row whoever imports it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import build_event, diff, record_many, snapshot
from backend.common.errors import Code, Problem
from backend.common.masking import mask_nik
from backend.population import codes
from backend.population import selectors as population_selectors
from backend.population.age import today_wita
from backend.population.models import Resident
from backend.reports import kinds, selectors
from backend.reports.choices import FollowUp, Kind, State
from backend.reports.kinds import ReportCode
from backend.reports.models import DETAIL_MODELS, DETAIL_RELATION, DeathDetail, Report
from backend.reports.services import _fingerprint
from backend.wilayah.models import RT

NEW, UNCHANGED, INVALID = "new", "unchanged", "invalid"

# TODO(issue 5): reports of non-permanent residents are refused. A stay is one
# register record opened and closed by two reports (the end points at the stay
# by id, which a spreadsheet cannot), and arrivals more than a year old are a
# formal move, refused by the kind's own rule. It can go when a "Buku Penduduk
# Sementara" import (one row per stay, writing NonPermanentStay with its two
# reports) is designed with the reports domain.
NOT_IMPORTABLE = frozenset({Kind.STAY_START, Kind.STAY_END})
IMPORTABLE = tuple(k for k in Kind.values if k not in NOT_IMPORTABLE)
# Older than this is allowed but probably a typing slip in the year.
OLD_REPORT_YEARS = 5
# Rows of one import lock their RTs (PostgreSQL advisory locks, this namespace)
# so that two imports of the same file at once cannot both create its reports.
LOCK_NAMESPACE = 710_4_03

_DETAIL_PATHS = tuple(
    "deathdetail__resident" if kind == Kind.DEATH else relation
    for kind, relation in DETAIL_RELATION.items()
)
_EMPTY_AS = {
    "labour_value": 0,
    "materials_value": 0,
    "cash_value": 0,
    "government_value": 0,
    "is_bbgrm": False,
    "institutions": [],
}


@dataclass(slots=True)
class ReportInput:
    """One spreadsheet row for a report, already read and typed.

    ``details`` is what ``kinds.clean`` takes (detail field names; the
    deceased as ``resident_nik``); ``present`` names the detail fields the
    file has a column for, which are the ones compared with an existing
    report. ``masked`` holds numbers a masked export wrote (``647104****...``):
    they can only be compared, never stored. ``note`` is None when the file
    has no note column.
    """

    ref: int
    kind: str
    rt: RT
    report_date: date
    details: dict[str, Any] = field(default_factory=dict)
    present: frozenset[str] = frozenset()
    note: str | None = None
    report_id: int | None = None
    masked: dict[str, str] = field(default_factory=dict)
    follow_up: str | None = None


@dataclass(slots=True)
class RowOutcome:
    ref: int
    action: str = UNCHANGED
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    report_id: int | None = None
    # The state a new report gets (approved, or submitted for review).
    state: str | None = None


def _title_key(title: str) -> str:
    """Titles compared ignoring case, spaces and punctuation."""
    return re.sub(r"[\W_]", "", title.lower())


def natural_key(
    kind: str, rt_id: int, report_date: date, *, title: str = "", nik: str = ""
) -> tuple:
    """What makes two reports the same report (see the module docstring)."""
    if kind == Kind.DEATH:
        return (Kind.DEATH, nik)
    if kind == Kind.NIHIL:
        return (Kind.NIHIL, rt_id, report_date.isoformat())
    return (kind, rt_id, report_date.isoformat(), _title_key(title))


def client_key_for(key: tuple, rejected_before: int) -> str:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return f"import-{digest}-{rejected_before}"


def report_key(report: Report) -> tuple:
    """The natural key of a stored report (its details loaded)."""
    detail = report.detail()
    if report.kind == Kind.DEATH:
        return natural_key(Kind.DEATH, report.rt_id, report.report_date, nik=_nik_of(detail))
    title = getattr(detail, "title", "") if detail is not None else ""
    return natural_key(report.kind, report.rt_id, report.report_date, title=title)


def _nik_of(detail) -> str:
    resident = getattr(detail, "resident", None)
    return (resident.nik or "") if resident is not None else ""


def _same(name: str, value: Any) -> Any:
    """A value as compared between a file and a stored report."""
    if value is None:
        value = _EMPTY_AS.get(name, "")
    if isinstance(value, str):
        # Spacing is not content: a spreadsheet may pad or re-wrap a cell.
        value = " ".join(value.split())
    if isinstance(value, list | tuple):
        value = sorted(str(v) for v in value)
    return value


class ReportBulkImport:
    """Checks (and, when ``write``, creates) reports a chunk at a time."""

    def __init__(self, *, actor, write: bool, today: date | None = None) -> None:
        self.actor = actor
        self.write = write
        self.today = today or today_wita()
        self.rt_ids = actor.scope.rt_ids(Cap.REPORT_DECIDE)
        self._reset()

    def _reset(self) -> None:
        self.by_id: dict[int, Report] = {}
        self.residents: dict[str, Resident] = {}
        self.by_key: dict[tuple, Report] = {}
        self.rejected: dict[tuple, int] = defaultdict(int)
        self.death_pending: set[int] = set()
        self.nihil: set[tuple[int, date]] = set()

    # -- kinds.Lookups ------------------------------------------------------------

    def resident(self, *, resident_id: int | None, nik: str) -> Resident | None:
        return self.residents.get(nik) if nik else None

    def death_reported(self, resident_id: int, *, exclude: Report | None) -> bool:
        return resident_id in self.death_pending

    def nihil_reported(self, rt_id: int, day: date, *, exclude: Report | None) -> bool:
        return (rt_id, day) in self.nihil

    # -- the chunk ------------------------------------------------------------------

    def process(self, rows: list[ReportInput]) -> list[RowOutcome]:
        """Check each row (scope, date, match or the kind's checks) and, when writing,
        create the new reports with their audit events. Returns one outcome per row,
        in order: new, unchanged or invalid, with its errors and warnings. Rows for
        an RT outside the actor's ``Cap.REPORT_DECIDE`` scope are refused one by one."""
        outcomes = [RowOutcome(row.ref) for row in rows]
        usable = []
        for row, out in zip(rows, outcomes, strict=True):
            self._check_row(row, out)
            if not out.errors:
                usable.append((row, out))
        if self.write:
            self._lock({row.rt.pk for row, _out in usable})
        self._preload([row for row, _out in usable])

        created = []
        for row, out in usable:
            existing = self._existing(row, out)
            if existing is not None:
                out.report_id = existing.pk
                self._compare(row, existing, out)
            elif not out.errors:
                cleaned = self._check_new(row, out)
                if not out.errors:
                    out.action = NEW
                    created.append((row, out, cleaned))
        for out in outcomes:
            if out.errors:
                out.action = INVALID
        if self.write and created:
            self._create(created)
        return outcomes

    def _check_row(self, row: ReportInput, out: RowOutcome) -> None:
        # A stay report that exists (matched by its number, as an export writes it)
        # is compared like any other; only a new one cannot be imported.
        if row.kind not in Kind.values or (row.kind in NOT_IMPORTABLE and not row.report_id):
            out.errors.append(
                Problem(
                    "kind_not_importable",
                    _(
                        "Reports of non-permanent residents cannot be imported; the RT "
                        "reports them from the phone app."
                    ),
                    "kind",
                )
            )
            return
        if row.rt.pk not in self.rt_ids:
            out.errors.append(
                Problem(Code.OUT_OF_SCOPE, _("This RT is outside your region."), "rt")
            )
            return
        if row.report_date > self.today:
            out.errors.append(
                Problem(
                    ReportCode.DATE_IN_FUTURE,
                    _("The report date cannot be in the future."),
                    "report_date",
                )
            )
        elif row.report_date < self._years_ago(OLD_REPORT_YEARS):
            out.warnings.append(
                Problem(
                    "report_date_old",
                    _("The report is dated more than %(years)d years ago; check the year.")
                    % {"years": OLD_REPORT_YEARS},
                    "report_date",
                )
            )
        if not row.rt.is_active:
            out.warnings.append(
                Problem(
                    "rt_inactive",
                    _("This RT is no longer active; the report is kept in its history."),
                    "rt",
                )
            )

    def _years_ago(self, years: int) -> date:
        try:
            return self.today.replace(year=self.today.year - years)
        except ValueError:  # 29 February
            return self.today.replace(year=self.today.year - years, day=28)

    # -- preloading (a fixed number of queries per chunk) ---------------------------

    def _lock(self, rt_ids: set[int]) -> None:
        if connection.vendor != "postgresql" or not rt_ids:
            return  # SQLite has one writer at a time anyway
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::int[]) AS id ORDER BY id",
                [LOCK_NAMESPACE, sorted(rt_ids)],
            )

    def _preload(self, rows: list[ReportInput]) -> None:
        self._reset()
        ids = {row.report_id for row in rows if row.report_id}
        if ids:
            scoped = selectors.report_list(actor=self.actor, cap=Cap.REPORT_DECIDE)
            self.by_id = {
                r.pk: r for r in scoped.filter(pk__in=ids).select_related("rt", *_DETAIL_PATHS)
            }

        niks = {row.details.get("resident_nik") for row in rows if row.kind == Kind.DEATH}
        niks.discard(None)
        niks.discard("")
        if niks:
            self.residents = {
                r.nik: r
                for r in population_selectors.resident_list(actor=self.actor).filter(nik__in=niks)
            }
            # Drafts were never sent: they match nothing and block nothing.
            deaths = (
                DeathDetail.objects.filter(resident__nik__in=niks)
                .exclude(report__state=State.DRAFT)
                .select_related("report", "resident")
            )
            for detail in deaths:
                self._remember(detail.report, (Kind.DEATH, _nik_of(detail)))
                if detail.report.state != State.REJECTED:
                    self.death_pending.add(detail.resident_id)

        others = [row for row in rows if row.kind != Kind.DEATH and not row.report_id]
        if others:
            candidates = (
                Report.objects.filter(
                    kind__in={row.kind for row in others},
                    rt_id__in={row.rt.pk for row in others},
                    report_date__in={row.report_date for row in others},
                )
                .exclude(state=State.DRAFT)
                .select_related(*(DETAIL_RELATION[k] for k in DETAIL_RELATION if k != Kind.DEATH))
            )
            for report in candidates:
                self._remember(report, report_key(report))
                if report.kind == Kind.NIHIL and report.state != State.REJECTED:
                    self.nihil.add((report.rt_id, report.report_date))

    def _remember(self, report: Report, key: tuple) -> None:
        if report.state == State.REJECTED:
            self.rejected[key] += 1
        else:
            self.by_key.setdefault(key, report)

    def _row_key(self, row: ReportInput) -> tuple:
        return natural_key(
            row.kind,
            row.rt.pk,
            row.report_date,
            title=row.details.get("title") or "",
            nik=row.details.get("resident_nik") or "",
        )

    # -- an existing report ----------------------------------------------------------

    def _existing(self, row: ReportInput, out: RowOutcome) -> Report | None:
        if row.report_id:
            report = self.by_id.get(row.report_id)
            if report is None:
                out.errors.append(
                    Problem(
                        Code.NOT_FOUND,
                        _("Report #%(id)s does not exist in your region.") % {"id": row.report_id},
                        "report_id",
                    )
                )
                return None
            for name, same in (
                ("kind", report.kind == row.kind),
                ("rt", report.rt_id == row.rt.pk),
                ("report_date", report.report_date == row.report_date),
            ):
                if not same:
                    out.errors.append(
                        Problem(
                            "report_mismatch",
                            _(
                                "Report #%(id)s has another kind, RT or date than this row; "
                                "an import does not change a report."
                            )
                            % {"id": report.pk},
                            name,
                        )
                    )
                    return None
            return report
        if row.kind == Kind.DEATH and not row.details.get("resident_nik"):
            return None
        report = self.by_key.get(self._row_key(row))
        if report is not None and report.rt_id not in self.rt_ids:
            return None  # outside the actor's region: the checks say "not found"
        return report

    def _compare(self, row: ReportInput, report: Report, out: RowOutcome) -> None:
        detail = report.detail()
        differ = []
        if row.note is not None and _same("note", row.note) != _same("note", report.note):
            differ.append("note")
        for name in sorted(row.present):
            stored = self._stored(report, detail, name)
            if name in row.masked:
                if row.masked[name] != mask_nik(stored):
                    differ.append(name)
            elif name == "title":
                # The title is part of the key: compared as the key compares it.
                if _title_key(row.details.get(name) or "") != _title_key(stored or ""):
                    differ.append(name)
            elif _same(name, row.details.get(name)) != _same(name, stored):
                differ.append(name)
        if detail is not None and report.kind == Kind.ISSUE:
            if row.details.get("issue_type") and row.details["issue_type"] != detail.issue_type:
                differ.append("kind")
            if row.follow_up and row.follow_up != detail.follow_up:
                differ.append("follow_up")
        if differ:
            out.errors.append(
                Problem(
                    "report_exists_differs",
                    _(
                        "Report #%(id)s already exists with other details. An import does not "
                        "change a report: keep the row as it was, or remove it."
                    )
                    % {"id": report.pk},
                    differ[0],
                    params={"fields": differ},
                )
            )

    @staticmethod
    def _stored(report: Report, detail, name: str) -> Any:
        if detail is None:
            return None
        if name == "resident_nik":
            return _nik_of(detail)
        return getattr(detail, name, None)

    # -- a new report ---------------------------------------------------------------

    def _check_new(self, row: ReportInput, out: RowOutcome) -> kinds.Cleaned:
        ctx = kinds.Context(
            actor=self.actor,
            rt=row.rt,
            report_date=row.report_date,
            today=self.today,
            lookups=self,
        )
        cleaned = kinds.clean(row.kind, ctx, dict(row.details))
        problems, warnings = list(cleaned.problems), list(cleaned.warnings)
        state = State.APPROVED
        if row.kind == Kind.DEATH:
            problems, state = self._death_state(row, cleaned, problems)
        if row.kind == Kind.ISSUE and row.follow_up:
            cleaned.values["follow_up"] = row.follow_up
        out.errors += problems
        out.warnings += warnings
        out.state = state
        if row.masked:
            out.errors += [
                Problem(
                    "masked",
                    _("A masked number cannot be imported; export again with full numbers."),
                    name,
                )
                for name in row.masked
            ]
        return cleaned

    def _death_state(
        self, row: ReportInput, cleaned: kinds.Cleaned, problems: list[Problem]
    ) -> tuple[list[Problem], str]:
        resident = cleaned.values.get("resident")
        death_date = cleaned.values.get("death_date")
        if death_date and death_date > row.report_date:
            problems.append(
                Problem(
                    Code.INVALID,
                    _("The date of death is after the date of the report."),
                    "death_date",
                )
            )
        if resident is None or resident.rt_id != row.rt.pk:
            return problems, State.SUBMITTED
        if resident.status != codes.LifeStatus.DECEASED:
            return problems, State.SUBMITTED
        # Already deceased in the population data: this report is the record of it.
        problems = [p for p in problems if p.code != ReportCode.RESIDENT_DECEASED]
        recorded = resident.status_date
        if recorded and death_date and recorded != death_date:
            problems.append(
                Problem(
                    "death_date_differs",
                    _(
                        "The population data records this death on %(recorded)s, the row "
                        "on %(row)s. Correct one of them first."
                    )
                    % {"recorded": f"{recorded:%d-%m-%Y}", "row": f"{death_date:%d-%m-%Y}"},
                    "death_date",
                )
            )
        return problems, State.APPROVED

    def _create(self, created: list[tuple[ReportInput, RowOutcome, kinds.Cleaned]]) -> None:
        now = timezone.now()
        reports = []
        for row, out, cleaned in created:
            values = cleaned.values
            key = self._row_key(row)
            approved = out.state == State.APPROVED
            reports.append(
                Report(
                    kind=row.kind,
                    state=out.state,
                    rt=row.rt,
                    report_date=row.report_date,
                    reporter=self.actor,
                    client_key=client_key_for(key, self.rejected.get(key, 0)),
                    content_hash=_fingerprint(
                        row.kind, row.rt, row.report_date, row.note or "", values
                    ),
                    note=(row.note or "").strip(),
                    submitted_at=now,
                    decided_at=now if approved else None,
                    decided_by=self.actor if approved else None,
                )
            )
        Report.objects.bulk_create(reports)

        details: dict[type, list] = defaultdict(list)
        for report, (row, out, cleaned) in zip(reports, created, strict=True):
            out.report_id = report.pk
            model = DETAIL_MODELS.get(row.kind)
            if model is None:
                continue
            values = dict(cleaned.values)
            if row.kind == Kind.ISSUE and values.get("follow_up", FollowUp.NEW) != FollowUp.NEW:
                values.update(follow_up_at=now, follow_up_by=self.actor)
            detail = model(report=report, **values)
            setattr(report, DETAIL_RELATION[row.kind], detail)
            details[model].append(detail)
        for model, objs in details.items():
            model.objects.bulk_create(objs)

        record_many(self._events(reports))

    def _events(self, reports: Iterable[Report]):
        for report in reports:
            after = snapshot(report, ["kind", "rt", "report_date", "note"])
            detail = report.detail()
            if detail is not None:
                after.update({k: v for k, v in snapshot(detail).items() if k != "report"})
            after["photos"] = []
            yield build_event(
                actor=self.actor,
                action=Action.CREATED,
                instance=report,
                entity_label=report.label,
                changes=diff({}, after),
                rt=report.rt,
                note="historical import",
            )
            yield build_event(
                actor=self.actor,
                action=Action.APPROVED if report.state == State.APPROVED else Action.SUBMITTED,
                instance=report,
                entity_label=report.label,
                changes={"state": [None, report.state]},
                rt=report.rt,
                note="historical import",
            )
