"""Scoped reads of reports and stays.

Everything the admin, GraphQL and the compliance pages show starts here,
limited to the actor's scope: Ketua RT their RT, kelurahan staff and Lurah
their kelurahan, kecamatan staff and Camat their kecamatan.

A draft is saved "without sending it to the kelurahan": only its reporter
reads it (and superusers, for operations). Everyone else's lists, counts and
lookups skip other people's drafts, whatever their scope.

A stay person's identity (birth date, passport number) is shown as NIKs are
(``identity_visible``): a masked NIK hides only the birth date, so a role
that may not see NIKs in the RT gets the birth year and age instead.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import BooleanField, Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action, AuditEvent
from backend.audit.selectors import private_events
from backend.common.errors import DomainError
from backend.population.age import today_wita
from backend.reports import conf
from backend.reports.choices import EDITABLE_STATES, WAITING_STATES, State
from backend.reports.models import NonPermanentStay, Report


def report_list(
    *, actor, cap: str = Cap.REPORT_VIEW, queryset: QuerySet[Report] | None = None
) -> QuerySet[Report]:
    """Reports in the actor's scope for ``cap``, without other people's drafts."""
    queryset = Report.objects.all() if queryset is None else queryset
    return actor.scope.filter(queryset, cap).filter(drafts_q(actor))


def drafts_q(actor, path: str = "") -> Q:
    """Reports that are not someone else's draft (superusers: every report)."""
    if getattr(actor, "is_superuser", False):
        return Q()
    prefix = f"{path}__" if path else ""
    return ~Q(**{f"{prefix}state": State.DRAFT}) | Q(**{f"{prefix}reporter_id": actor.pk})


@private_events
def draft_report_events(actor) -> Q | None:
    """Audit events of reports that are someone else's draft (``drafts_q``): hidden.

    A report's trail is read exactly when the report itself may be: while it
    is a draft (never sent, or withdrawn back to a draft) only its reporter
    reads its events, in the timeline, the record history and the export. Once
    it is sent, its whole history, the draft edits before the sending
    included, is read like any record's: the sent report is shared, and how
    it came to be is part of its account. A draft deleted unsent stays its
    reporter's (only a draft can be deleted, by its reporter, who recorded
    the deletion). Superusers read every event, as they read every report.
    """
    if getattr(actor, "is_superuser", False):
        return None
    others_drafts = (
        Report.objects.filter(state=State.DRAFT)
        .exclude(reporter_id=actor.pk)
        .annotate(entity_key=Cast("pk", output_field=CharField()))
        .values("entity_key")
    )
    deleted_by_others = (
        AuditEvent.objects.filter(entity_type=REPORT_ENTITY, action=Action.DELETED)
        .exclude(actor_id=actor.pk)
        .values("entity_id")
    )
    return Q(entity_type=REPORT_ENTITY) & (
        Q(entity_id__in=others_drafts) | Q(entity_id__in=deleted_by_others)
    )


REPORT_ENTITY = "reports.report"


def report_visible(actor, report: Report) -> bool:
    """Whether ``report_list(actor=actor)`` holds ``report`` (no query)."""
    if not actor.scope.can(Cap.REPORT_VIEW, report.rt):
        return False
    return (
        report.state != State.DRAFT
        or report.reporter_id == actor.pk
        or getattr(actor, "is_superuser", False)
    )


def report_get(*, actor, pk, cap: str = Cap.REPORT_VIEW) -> Report:
    """The report, or "not found" also when it lies outside the actor's scope."""
    try:
        return (
            report_list(actor=actor, cap=cap)
            .select_related("rt__kelurahan__kecamatan__kota", "reporter", "decided_by")
            .get(pk=int(pk))
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise DomainError.not_found(_("Report not found."), field="id") from None


def waiting_q(path: str = "") -> Q:
    """Reports waiting for a decision (``choices.WAITING_STATES``): sent, not decided.

    A report sent back for revision is not waiting for the kelurahan but for
    its Ketua RT; ``revision_q`` counts those apart.
    """
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}state__in": sorted(WAITING_STATES)})


def revision_q(path: str = "") -> Q:
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}state": State.REVISION_REQUESTED})


def _waiting_cap(actor) -> str:
    # Where the actor decides when they decide somewhere (the queue), otherwise
    # the RTs they read (kecamatan and city overseers).
    return Cap.REPORT_DECIDE if actor.scope.has(Cap.REPORT_DECIDE) else Cap.REPORT_VIEW


def report_waiting(*, actor, queryset: QuerySet[Report] | None = None) -> QuerySet[Report]:
    """Reports waiting for a decision that the actor sees: the one "waiting" of
    the dashboard, the compliance page and the queue."""
    return report_list(actor=actor, cap=_waiting_cap(actor), queryset=queryset).filter(waiting_q())


def waiting_counts(*, actor, kelurahan_id: int | None = None) -> dict[str, int]:
    """``waiting`` (``report_waiting``) and ``revision`` (sent back to the RT), in
    one query: the dashboard and the compliance page show these two numbers."""
    reports = report_list(actor=actor, cap=_waiting_cap(actor))
    if kelurahan_id is not None:
        reports = reports.filter(rt__kelurahan_id=kelurahan_id)
    return reports.aggregate(
        waiting=Count("pk", filter=waiting_q()),
        revision=Count("pk", filter=revision_q()),
    )


def report_queue(*, actor, queryset: QuerySet[Report] | None = None) -> QuerySet[Report]:
    """Reports waiting for the actor's decision, oldest submission first."""
    return (
        report_list(actor=actor, cap=Cap.REPORT_DECIDE, queryset=queryset)
        .filter(waiting_q())
        .order_by("submitted_at", "id")
    )


def report_history(report: Report) -> QuerySet[AuditEvent]:
    """The report's audit events, oldest first (its history of states and edits)."""
    return (
        AuditEvent.objects.filter(entity_type="reports.report", entity_id=str(report.pk))
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


# -- people's names ------------------------------------------------------------------


def person_name(user) -> str:
    """How a reporter, decider or Ketua RT is shown everywhere: the full name, else
    the username (``""`` for nobody)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def ketua_rt_names(rt_ids) -> dict[int, str]:
    """The Ketua RT of each RT, by their active role assignment (and active account),
    in one query: ``{rt_id: "Full Name"}`` (several Ketua RT joined with commas)."""
    from backend.accounts.models import RoleAssignment
    from backend.accounts.roles import Role

    names: dict[int, list[str]] = {}
    for assignment in (
        RoleAssignment.objects.filter(
            role=Role.KETUA_RT, is_active=True, user__is_active=True, rt_id__in=list(rt_ids)
        )
        .select_related("user")
        .order_by("rt_id", "created_at", "id")
    ):
        names.setdefault(assignment.rt_id, []).append(person_name(assignment.user))
    return {rt_id: ", ".join(people) for rt_id, people in names.items()}


# -- stays -------------------------------------------------------------------


def stay_list(
    *, actor, cap: str = Cap.POPULATION_VIEW, queryset: QuerySet[NonPermanentStay] | None = None
) -> QuerySet[NonPermanentStay]:
    queryset = NonPermanentStay.objects.all() if queryset is None else queryset
    return actor.scope.filter(queryset, cap)


def stay_get(*, actor, pk, cap: str = Cap.POPULATION_VIEW) -> NonPermanentStay:
    try:
        return stay_list(actor=actor, cap=cap).select_related("rt__kelurahan").get(pk=int(pk))
    except (NonPermanentStay.DoesNotExist, ValueError, TypeError):
        raise DomainError.not_found(field="stay") from None


def stay_limit_dates(today: date | None = None) -> tuple[date, date]:
    """Start dates from which an open stay is near one year, and past it.

    Permendagri 74/2022: a non-permanent resident stays at most one year;
    longer needs a formal move (surat pindah).
    """
    today = today or today_wita()
    one_year_ago = _years_before(today, 1)
    return one_year_ago + timedelta(days=conf.get("STAY_WARN_DAYS")), one_year_ago


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def stay_one_year_mark(start: date) -> date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)


def with_stay_flags(
    queryset: QuerySet[NonPermanentStay], today: date | None = None
) -> QuerySet[NonPermanentStay]:
    """Annotate ``near_limit`` (open, within the warning days of one year) and
    ``over_limit`` (open for more than a year)."""
    near, over = stay_limit_dates(today)
    is_open = Q(end_date__isnull=True)
    return queryset.annotate(
        over_limit=Case(
            When(is_open & Q(start_date__lte=over), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        near_limit=Case(
            When(is_open & Q(start_date__lte=near) & Q(start_date__gt=over), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


# -- identity shown ----------------------------------------------------------------


def identity_visible(actor, *, rt_id: int, report: Report | None = None) -> bool:
    """Whether ``actor`` sees a stay person's birth date and passport number in full.

    As for NIKs: roles holding ``Cap.POPULATION_VIEW_NIK`` over the RT
    (kelurahan staff, Lurah, city administrators) do; Ketua RT, kecamatan
    staff and the Camat get the birth year and age and a masked passport
    number, because a masked NIK hides only the birth date (digits 7-12).

    One exception: the Ketua RT who wrote a report sees what they typed while
    they may still change it (a draft, or a report sent back for revision), to
    check and correct it. It tells them nothing they did not type themselves;
    once the report is sent, or when the stay is in the register, they see the
    year only, like anyone without NIK rights.
    """
    if rt_id in actor.scope.rt_ids(Cap.POPULATION_VIEW_NIK):
        return True
    return (
        report is not None
        and report.reporter_id == actor.pk
        and report.state in EDITABLE_STATES
        and report.rt_id in actor.scope.rt_ids(Cap.REPORT_SUBMIT)
    )


def with_identity_visible(
    queryset: QuerySet[NonPermanentStay], *, actor
) -> QuerySet[NonPermanentStay]:
    """Annotate ``identity_visible``: ``identity_visible()`` for each stay of a list,
    in SQL (the register has no report exception: it is a record)."""
    scope = actor.scope
    if scope.is_superuser:
        return queryset.annotate(identity_visible=Value(True, output_field=BooleanField()))
    if not scope.has(Cap.POPULATION_VIEW_NIK):
        return queryset.annotate(identity_visible=Value(False, output_field=BooleanField()))
    return queryset.annotate(
        identity_visible=Case(
            When(scope.rt_q(Cap.POPULATION_VIEW_NIK, "rt"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def open_stays(queryset: QuerySet[NonPermanentStay]) -> QuerySet[NonPermanentStay]:
    return queryset.filter(end_date__isnull=True)
