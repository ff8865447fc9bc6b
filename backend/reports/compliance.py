"""RT reporting compliance: did each RT report, per period, and how reliably.

What counts as "reported" for a period (a day, or a week when the cadence
setting says weekly): at least one report dated in it that the RT sent and
the kelurahan has not refused, i.e. submitted, revision requested or
approved. Any kind counts, nihil included.

- A **draft** does not count: the kelurahan never received it.
- A report **waiting for a decision** counts: the RT did its part, and a
  slow review must not make an RT look absent.
- A **rejected** report does not count: rejection means the kelurahan did
  not accept it as a report (wrong RT, duplicate, nonsense). The RT can send
  a corrected one for the same day (reports may be dated a few days back),
  and compliance follows at once, because it is computed from the reports,
  never stored.

Figures per RT: periods expected and reported, rate, last report, days since
it, current streak (consecutive reported periods up to the reference day;
the current period, not over yet, breaks nothing), and whether it reported
in the current period. Rolled up per kelurahan and kecamatan.

Only kelurahan that use Lapor RT count, from their start
(``LAPOR_REPORTS["REPORTING_SINCE"]``, else their RTs' first sent report); the
RTs of a kelurahan that has not started are left out of the figures
(``rts_not_using``) rather than shown at 0%.

Everything is aggregated in SQL: a fixed number of queries whatever the
number of RTs or days (the RT list, the kelurahan starts, the last report and
waiting counts per RT, the reported periods and runs per RT, and the heatmap
cells), never a query per RT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Max, Min, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.common.errors import Code, DomainError
from backend.population.age import today_wita
from backend.reports import conf
from backend.reports.choices import WAITING_STATES, State
from backend.reports.models import Report
from backend.reports.selectors import revision_q, waiting_q
from backend.wilayah.models import RT

COUNTED_STATES = (State.SUBMITTED, State.REVISION_REQUESTED, State.APPROVED)
# Sent and not decided yet (the heatmap's lighter green): waiting for the
# kelurahan (``selectors.waiting_q``) or sent back to the RT (``revision_q``).
# "Waiting for a decision" itself is ``selectors.waiting_q`` only.
UNDECIDED_STATES = (State.SUBMITTED, State.REVISION_REQUESTED)
# How far back a streak is followed; a longer streak shows as this many days.
STREAK_HORIZON_DAYS = 366
# 1970-01-01 was a Thursday: shifting by 3 days makes weeks run Monday to Sunday.
_WEEK_OFFSET = 3


# -- periods -----------------------------------------------------------------

#: No period may start before this day (Lapor RT has no older reports than a
#: kelurahan's spreadsheets, and older dates only make figures meaningless).
EARLIEST_DAY = date(2000, 1, 1)
#: How far after today a period may end: a calendar may ask for the whole
#: current month; figures never count days after today.
FUTURE_DAYS = 31


def clean_period(
    date_from: date | None,
    date_to: date | None,
    *,
    default_days: int,
    max_days: int,
    today: date | None = None,
) -> tuple[date, date]:
    """The period ``[start, end]`` a compliance page or calendar asked for, checked.

    Missing ends default to today and ``default_days`` back. Every door
    (GraphQL ``compliance`` and ``reportingCalendar``, the admin compliance
    page) checks its dates here: none before ``EARLIEST_DAY`` or more than
    ``FUTURE_DAYS`` after today, the start not after the end, at most
    ``max_days`` days. Raises ``DomainError`` naming ``date_from`` or ``date_to``.
    """
    today = today or today_wita()
    latest = today + timedelta(days=FUTURE_DAYS)
    for value, name in ((date_from, "date_from"), (date_to, "date_to")):
        if value is None:
            continue
        if value < EARLIEST_DAY:
            raise DomainError(
                Code.INVALID,
                _("The date cannot be before %(date)s.")
                % {"date": date_format(EARLIEST_DAY, "j F Y")},
                field=name,
            )
        if value > latest:
            raise DomainError(
                Code.INVALID,
                _("The date cannot be more than %(days)d days after today.")
                % {"days": FUTURE_DAYS},
                field=name,
            )
    end = date_to or today
    start = date_from or max(EARLIEST_DAY, end - timedelta(days=default_days - 1))
    if start > end:
        raise DomainError(Code.INVALID, _("The start is after the end."), field="date_from")
    if (end - start).days + 1 > max_days:
        raise DomainError(
            Code.INVALID,
            _("At most %(days)d days at once.") % {"days": max_days},
            field="date_from",
        )
    return start, end


def _offset(cadence: int) -> int:
    return _WEEK_OFFSET if cadence == 7 else 0


def period_of(day: date, cadence: int | None = None) -> int:
    """Index of the reporting period holding ``day`` (days since 1970, or weeks)."""
    cadence = cadence or conf.cadence_days()
    return ((day - date(1970, 1, 1)).days + _offset(cadence)) // cadence


def period_start(index: int, cadence: int) -> date:
    return date(1970, 1, 1) + timedelta(days=index * cadence - _offset(cadence))


class DayNumber(Func):
    """Days since 1970-01-01 of a date column, as an integer (PostgreSQL and SQLite)."""

    output_field = IntegerField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - DATE '1970-01-01')", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)", params


def period_expression(cadence: int, column: str = "report_date"):
    days = DayNumber(F(column))
    if cadence == 1:
        return days
    return (days + _offset(cadence)) / cadence


# -- results -----------------------------------------------------------------


@dataclass
class RTCompliance:
    rt_id: int
    code: str
    number: int
    kelurahan_id: int
    kelurahan_name: str
    kecamatan_id: int
    kecamatan_name: str
    expected: int = 0
    reported: int = 0
    last_report: date | None = None
    days_since_last: int | None = None
    streak: int = 0
    reported_current: bool = False
    pending: int = 0  # waiting for a decision (``selectors.waiting_q``), any date
    revision_requested: int = 0  # sent back, waiting for the RT
    ketua: str = ""  # the Ketua RT's name, filled by a page that shows it
    #: Since when the RT's kelurahan uses Lapor RT (None: not yet); no day before
    #: it is expected, and an RT of a kelurahan not using it is left out of the figures.
    reporting_since: date | None = None

    @property
    def uses_lapor_rt(self) -> bool:
        return self.reporting_since is not None

    @property
    def label(self) -> str:
        return f"RT {self.number:03d}"

    @property
    def rate(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    @property
    def rate_percent(self) -> int | None:
        rate = self.rate
        return round(rate * 100) if rate is not None else None


@dataclass
class RegionCompliance:
    level: str
    region_id: int
    name: str
    rts: int = 0
    rts_reported_current: int = 0
    rts_silent: int = 0
    expected: int = 0
    reported: int = 0
    pending: int = 0
    revision_requested: int = 0
    rts_not_using: int = 0  # RTs of kelurahan not using Lapor RT (not in ``rts``)
    reporting_since: date | None = None  # a kelurahan row's start

    @property
    def uses_lapor_rt(self) -> bool:
        return self.rts > 0 or not self.rts_not_using

    @property
    def rts_not_reported_current(self) -> int:
        return self.rts - self.rts_reported_current

    @property
    def rate(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    @property
    def rate_percent(self) -> int | None:
        rate = self.rate
        return round(rate * 100) if rate is not None else None

    def add(self, rt: RTCompliance, silent_days: int) -> None:
        if not rt.uses_lapor_rt:
            self.rts_not_using += 1
            self.pending += rt.pending
            self.revision_requested += rt.revision_requested
            return
        self.rts += 1
        self.rts_reported_current += rt.reported_current
        self.rts_silent += rt.days_since_last is None or rt.days_since_last >= silent_days
        self.expected += rt.expected
        self.reported += rt.reported
        self.pending += rt.pending
        self.revision_requested += rt.revision_requested


@dataclass
class HeatCell:
    day: date
    approved: int = 0
    pending: int = 0  # waiting for a decision
    revision: int = 0  # sent back for revision
    rejected: int = 0
    rts_reported: int = 0  # for a kelurahan row: RTs that reported that day
    share: float = 0.0  # for a kelurahan row: rts_reported / RTs
    before_start: bool = False  # before the kelurahan used Lapor RT: not expected

    @property
    def bucket(self) -> int:
        """0 (no RT) to 4 (every RT) for a kelurahan row's shade."""
        if self.rts_reported == 0:
            return 0
        return min(4, 1 + int(self.share * 4))

    @property
    def status(self) -> str:
        """approved, pending, rejected (nothing counted), none, or inactive (a day
        before the kelurahan used Lapor RT)."""
        if self.before_start:
            return "inactive"
        if self.approved:
            return "approved"
        if self.pending or self.revision:
            return "pending"
        if self.rejected:
            return "rejected"
        return "none"


@dataclass
class HeatRow:
    key: int
    label: str
    cells: list[HeatCell]
    rts: int = 1
    group: str = ""

    @property
    def reported_days(self) -> int:
        return sum(1 for c in self.cells if c.status in ("approved", "pending"))


@dataclass
class Compliance:
    start: date
    end: date
    today: date
    cadence: int
    rts: list[RTCompliance] = field(default_factory=list)
    kelurahan: list[RegionCompliance] = field(default_factory=list)
    kecamatan: list[RegionCompliance] = field(default_factory=list)
    total: RegionCompliance | None = None
    heat_days: list[date] = field(default_factory=list)
    heat_rows: list[HeatRow] = field(default_factory=list)
    heat_level: str = ""

    @property
    def not_reported(self) -> list[RTCompliance]:
        """RTs (of kelurahan using Lapor RT) without a report in the current period,
        longest silence first."""
        missing = [r for r in self.rts if r.uses_lapor_rt and not r.reported_current]
        return sorted(
            missing,
            key=lambda r: (
                -(r.days_since_last if r.days_since_last is not None else 10**6),
                r.kelurahan_name,
                r.number,
            ),
        )


# -- computing ---------------------------------------------------------------


def scoped_rts(*, actor, kecamatan_id=None, kelurahan_id=None, rt_ids=None) -> QuerySet[RT]:
    """Active RTs whose reports the actor may read, optionally narrowed to a region."""
    rts = RT.objects.filter(actor.scope.rt_q(Cap.REPORT_VIEW, ""), is_active=True)
    if kecamatan_id is not None:
        rts = rts.filter(kelurahan__kecamatan_id=kecamatan_id)
    if kelurahan_id is not None:
        rts = rts.filter(kelurahan_id=kelurahan_id)
    if rt_ids is not None:
        rts = rts.filter(pk__in=list(rt_ids))
    return rts


def compute(
    *,
    actor,
    start: date,
    end: date,
    kecamatan_id: int | None = None,
    kelurahan_id: int | None = None,
    rt_ids=None,
    heatmap: str | None = None,
    today: date | None = None,
) -> Compliance:
    """Compliance of the actor's RTs over ``[start, end]`` (``heatmap``: "rt" or
    "kelurahan" adds the last ``HEATMAP_DAYS`` days of cells)."""
    today = today or today_wita()
    end = min(end, today)
    start = min(start, end)
    cadence = conf.cadence_days()
    result = Compliance(start=start, end=end, today=today, cadence=cadence)

    rts = scoped_rts(
        actor=actor, kecamatan_id=kecamatan_id, kelurahan_id=kelurahan_id, rt_ids=rt_ids
    )
    rows = list(
        rts.order_by("kelurahan__kecamatan__code", "kelurahan__code", "number").values(
            "pk",
            "code",
            "number",
            "valid_from",
            "kelurahan_id",
            "kelurahan__code",
            "kelurahan__name",
            "kelurahan__kecamatan_id",
            "kelurahan__kecamatan__name",
        )
    )
    reports = Report.objects.filter(rt__in=rts)
    since, before_start = _reporting_since(rows, end)
    # Reports dated before their kelurahan's start count for nothing.
    counted_q = Q(state__in=COUNTED_STATES, report_date__lte=end)
    if before_start is not None:
        reports_from_start = reports.exclude(before_start)
        counted_q &= ~before_start
    else:
        reports_from_start = reports
    counted = reports_from_start.filter(state__in=COUNTED_STATES, report_date__lte=end)

    # Waiting and sent back are counted whatever the report date: they are what
    # waits now (the queue), the same count as ``selectors.report_waiting``.
    figures = {
        row["rt_id"]: row
        for row in reports.values("rt_id")
        .annotate(
            last=Max("report_date", filter=counted_q),
            pending=Count("pk", filter=waiting_q()),
            revision=Count("pk", filter=revision_q()),
        )
        .order_by()
    }
    runs = _runs(counted, cadence, start, end)

    current = period_of(end, cadence)
    end_is_open = end >= today  # the current period is not over yet
    silent_days = max(7, cadence * 2)
    kelurahan: dict[int, RegionCompliance] = {}
    kecamatan: dict[int, RegionCompliance] = {}
    total = RegionCompliance(level="kota", region_id=0, name="")
    for row in rows:
        rt = RTCompliance(
            rt_id=row["pk"],
            code=row["code"],
            number=row["number"],
            kelurahan_id=row["kelurahan_id"],
            kelurahan_name=row["kelurahan__name"],
            kecamatan_id=row["kelurahan__kecamatan_id"],
            kecamatan_name=row["kelurahan__kecamatan__name"],
        )
        rt.reporting_since = since.get(rt.kelurahan_id)
        fig, run = figures.get(rt.rt_id, {}), runs.get(rt.rt_id)
        rt.reported = run.periods if run is not None else 0
        rt.pending = fig.get("pending", 0)
        rt.revision_requested = fig.get("revision", 0)
        rt.last_report = fig.get("last")
        if rt.last_report is not None:
            rt.days_since_last = (end - rt.last_report).days
            rt.reported_current = period_of(rt.last_report, cadence) == current
        rt.streak = _streak_of(run, current, open_period=end_is_open)
        first = max(start, row["valid_from"] or start, rt.reporting_since or start)
        rt.expected = max(0, current - period_of(first, cadence) + 1)
        if end_is_open and not rt.reported_current:
            rt.expected = max(0, rt.expected - 1)
        if not rt.uses_lapor_rt:
            rt.expected = 0
        result.rts.append(rt)
        kelurahan.setdefault(
            rt.kelurahan_id,
            RegionCompliance(
                "kelurahan",
                rt.kelurahan_id,
                rt.kelurahan_name,
                reporting_since=rt.reporting_since,
            ),
        ).add(rt, silent_days)
        kecamatan.setdefault(
            rt.kecamatan_id, RegionCompliance("kecamatan", rt.kecamatan_id, rt.kecamatan_name)
        ).add(rt, silent_days)
        total.add(rt, silent_days)
    result.kelurahan = list(kelurahan.values())
    result.kecamatan = list(kecamatan.values())
    result.total = total

    if heatmap:
        _heatmap(result, reports_from_start, heatmap, kelurahan)
    return result


def _reporting_since(rows: list[dict], end: date) -> tuple[dict[int, date | None], Q | None]:
    """Since when each kelurahan of ``rows`` uses Lapor RT (None: not by ``end``), and
    the reports dated before their kelurahan's start (to leave out; None: none).

    ``LAPOR_REPORTS["REPORTING_SINCE"]`` names the start per kelurahan code; a
    kelurahan not named there started with its RTs' first sent report (one
    query for all of them); one with neither does not use Lapor RT yet.
    """
    explicit = conf.reporting_since()
    codes = {row["kelurahan_id"]: row["kelurahan__code"] for row in rows}
    inferred_ids = [k for k, code in codes.items() if code not in explicit]
    first: dict[int, date] = {}
    if inferred_ids:
        first = dict(
            # Sent, whatever the decision: a rejected report was still Lapor RT in use.
            Report.objects.filter(
                rt__kelurahan_id__in=inferred_ids,
                state__in=(*COUNTED_STATES, State.REJECTED),
                report_date__lte=end,
            )
            .values("rt__kelurahan_id")
            .annotate(first=Min("report_date"))
            .order_by()
            .values_list("rt__kelurahan_id", "first")
        )
    since: dict[int, date | None] = {}
    before: Q | None = None
    for kelurahan_id, code in codes.items():
        day = explicit.get(code) if code in explicit else first.get(kelurahan_id)
        since[kelurahan_id] = day if day is not None and day <= end else None
        if code in explicit:
            earlier = Q(rt__kelurahan_id=kelurahan_id, report_date__lt=explicit[code])
            before = earlier if before is None else before | earlier
    return since, before


@dataclass(frozen=True)
class _Run:
    periods: int  # reported periods from the start of the asked period
    last: int  # newest reported period
    run_start: int  # first period of the unbroken run ending at ``last``


def _runs(counted: QuerySet[Report], cadence: int, start: date, end: date) -> dict[int, _Run]:
    """Per RT, in one query: reported periods since ``start``, the newest one, and
    where the unbroken run of reported periods ending there begins.

    Reports are read in (RT, date) order, which the (rt, report_date, state)
    index already holds, so the database neither sorts nor de-duplicates:
    each row's period is compared with the previous row's (LAG). A different
    period is a newly reported one; a jump of more than one period starts a
    new run, and the newest such start is where the current run begins.
    """
    horizon = min(start, end - timedelta(days=max(STREAK_HORIZON_DAYS, cadence * 53)))
    rows = (
        counted.filter(report_date__gte=horizon)
        .annotate(p=period_expression(cadence))
        .values("rt_id", "report_date", "p")
        .order_by()
    )
    try:
        inner, params = rows.query.sql_with_params()
    except EmptyResultSet:  # nothing in scope
        return {}
    sql = (
        "SELECT d.rt_id, "  # noqa: S608 (compiled ORM SQL, parameters bound)
        "SUM(CASE WHEN d.p >= %s AND (d.prev IS NULL OR d.p <> d.prev) THEN 1 ELSE 0 END), "
        "MAX(d.p), MAX(CASE WHEN d.prev IS NULL OR d.p - d.prev > 1 THEN d.p END) "
        "FROM (SELECT i.rt_id, i.p, "
        "LAG(i.p) OVER (PARTITION BY i.rt_id ORDER BY i.report_date) AS prev "
        f"FROM ({inner}) i) d GROUP BY d.rt_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (period_of(start, cadence), *params))
        return {
            rt_id: _Run(int(periods), last, run_start)
            for rt_id, periods, last, run_start in cursor.fetchall()
        }


def _streak_of(run: _Run | None, current: int, *, open_period: bool) -> int:
    if run is None:
        return 0
    # A run still counts if it reaches the reference period, or the one before
    # while the reference period is not over yet (today).
    if run.last < current - (1 if open_period else 0):
        return 0
    return run.last - run.run_start + 1


def _heatmap(result: Compliance, reports, level: str, kelurahan_figures) -> None:
    days = conf.get("HEATMAP_DAYS")
    first = result.end - timedelta(days=days - 1)
    result.heat_days = [first + timedelta(days=i) for i in range(days)]
    result.heat_level = level
    index = {d: i for i, d in enumerate(result.heat_days)}
    window = reports.filter(
        report_date__gte=first,
        report_date__lte=result.end,
        state__in=(*COUNTED_STATES, State.REJECTED),
    )
    starts = {rt.rt_id: rt.reporting_since for rt in result.rts}
    if level == "rt":
        cells: dict[int, list[HeatCell]] = {
            rt.rt_id: [_cell(d, starts[rt.rt_id]) for d in result.heat_days] for rt in result.rts
        }
        for row in (
            window.values("rt_id", "report_date")
            .annotate(
                approved=Count("pk", filter=Q(state=State.APPROVED)),
                pending=Count("pk", filter=waiting_q()),
                revision=Count("pk", filter=revision_q()),
                rejected=Count("pk", filter=Q(state=State.REJECTED)),
            )
            .order_by()
        ):
            cell = cells[row["rt_id"]][index[row["report_date"]]]
            cell.approved, cell.pending, cell.revision, cell.rejected = (
                row["approved"],
                row["pending"],
                row["revision"],
                row["rejected"],
            )
        result.heat_rows = [
            HeatRow(key=rt.rt_id, label=rt.label, cells=cells[rt.rt_id], group=rt.kelurahan_name)
            for rt in result.rts
        ]
        return
    cells = {
        k: [_cell(d, region.reporting_since) for d in result.heat_days]
        for k, region in kelurahan_figures.items()
    }
    for row in (
        window.filter(state__in=COUNTED_STATES)
        .values("rt__kelurahan_id", "report_date")
        .annotate(rts=Count("rt_id", distinct=True))
        .order_by()
    ):
        cell = cells[row["rt__kelurahan_id"]][index[row["report_date"]]]
        cell.rts_reported = row["rts"]
        cell.share = row["rts"] / max(1, kelurahan_figures[row["rt__kelurahan_id"]].rts)
    result.heat_rows = [
        HeatRow(key=k, label=region.name, cells=cells[k], rts=region.rts)
        for k, region in kelurahan_figures.items()
    ]


def _cell(day: date, since: date | None) -> HeatCell:
    return HeatCell(day, before_start=since is None or day < since)


# -- one RT's calendar (phone app) ----------------------------------------------


@dataclass
class CalendarDay:
    day: date
    reported: bool
    approved: int = 0
    pending: int = 0  # waiting for a decision
    revision_requested: int = 0  # sent back to the RT
    rejected: int = 0
    drafts: int = 0
    kinds: list[str] = field(default_factory=list)


def rt_calendar(*, actor, rt: RT, start: date, end: date) -> list[CalendarDay]:
    """Each day of ``[start, end]`` for one RT (already scope-checked by the caller).

    ``drafts`` counts the actor's own drafts only: nobody else reads them.
    """
    from backend.reports.selectors import report_list

    days = {
        start + timedelta(days=i): CalendarDay(start + timedelta(days=i), False)
        for i in range((end - start).days + 1)
    }
    for row in (
        report_list(actor=actor)
        .filter(rt=rt, report_date__gte=start, report_date__lte=end)
        .values("report_date", "kind", "state")
        .annotate(n=Count("pk"))
        .order_by("report_date", "kind")
    ):
        day = days[row["report_date"]]
        state, n = row["state"], row["n"]
        if state == State.APPROVED:
            day.approved += n
        elif state in WAITING_STATES:
            day.pending += n
        elif state == State.REVISION_REQUESTED:
            day.revision_requested += n
        elif state == State.REJECTED:
            day.rejected += n
        else:
            day.drafts += n
        if state in COUNTED_STATES:
            day.reported = True
            if row["kind"] not in day.kinds:
                day.kinds.append(row["kind"])
    return list(days.values())
