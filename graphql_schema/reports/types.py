"""GraphQL types for reports, stays and compliance; scope applies in every ``get_queryset``."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from django.db.models import Q, QuerySet
from django.urls import reverse
from strawberry import auto
from strawberry.types import Info

from backend.common.masking import mask_nik, mask_number
from backend.population.age import today_wita
from backend.reports import choices, selectors, workflow
from backend.reports.models import (
    ActivityDetail,
    DeathDetail,
    GotongRoyongDetail,
    IssueDetail,
    NonPermanentStay,
    Report,
    ReportPhoto,
    StayEndDetail,
    StayStartDetail,
)
from graphql_schema import enums
from graphql_schema.errors import FieldErrorType, WarningType
from graphql_schema.fields import BoundedListField
from graphql_schema.permissions import actor_of

if TYPE_CHECKING:
    from graphql_schema.population.types import HouseholdRefType, ResidentType
    from graphql_schema.wilayah.types import RTRefType

ReportKind = strawberry.enum(choices.Kind, name="ReportKind")
ReportState = strawberry.enum(choices.State, name="ReportState")
ActivityCategory = strawberry.enum(choices.ActivityCategory, name="ActivityCategory")
DeathPlace = strawberry.enum(choices.DeathPlace, name="DeathPlace")
DeathCause = strawberry.enum(choices.DeathCause, name="DeathCause")
DeathCertifier = strawberry.enum(choices.DeathCertifier, name="DeathCertifier")
InformantRelationship = strawberry.enum(choices.ReporterRelationship, name="InformantRelationship")
StayPurpose = strawberry.enum(choices.StayPurpose, name="StayPurpose")
Housing = strawberry.enum(choices.Housing, name="Housing")
StayEndReason = strawberry.enum(choices.StayEndReason, name="StayEndReason")
GotongRoyongType = strawberry.enum(choices.GotongRoyongType, name="GotongRoyongType")
Institution = strawberry.enum(choices.Institution, name="Institution")
IssueType = strawberry.enum(choices.IssueType, name="IssueType")
IssueCategory = strawberry.enum(choices.IssueCategory, name="IssueCategory")
FollowUp = strawberry.enum(choices.FollowUp, name="FollowUp")


@strawberry.enum(name="ReportAction", description="A workflow step the caller may take now.")
class ReportAction(enum.Enum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_REVISION = "request_revision"


# -- details -------------------------------------------------------------------


@strawberry_django.type(ReportPhoto, name="ReportPhoto")
class ReportPhotoType:
    id: auto
    width: auto
    height: auto
    size_bytes: auto

    @strawberry_django.field(
        only=["id"],
        description=(
            "Where to fetch the photo (JPEG): send the same session cookie or "
            "'Authorization: Bearer <token>' as for the API."
        ),
    )
    def url(self, info: Info) -> str:
        return info.context.request.build_absolute_uri(reverse("reports:photo", args=[self.pk]))


@strawberry_django.type(ActivityDetail, name="ActivityDetails")
class ActivityDetailType:
    category: ActivityCategory
    title: auto
    place: auto
    start_time: time | None
    participants: auto
    description: auto


@strawberry_django.type(DeathDetail, name="DeathDetails")
class DeathDetailType:
    resident: Annotated[ResidentType, strawberry.lazy("graphql_schema.population.types")] | None
    death_date: date
    death_time: time | None
    place: DeathPlace
    place_detail: auto
    cause: DeathCause | None
    certifier: DeathCertifier | None
    informant_name: auto
    informant_relationship: InformantRelationship
    burial_place: auto
    burial_date: date | None

    @strawberry_django.field(only=["informant_nik"], description="Informant's NIK, masked.")
    def informant_nik(self) -> str:
        return mask_nik(self.informant_nik)


_BIRTH_DATE_HELP = (
    "Date of birth, for roles that may see NIKs in this RT; null for others, because a "
    "NIK's masked digits are the birth date. Everyone gets birthYear and age."
)
_PASSPORT_HELP = "Passport number, masked like a NIK for roles that may not see NIKs in this RT."
# The report a detail belongs to: who wrote it, where, and whether it can still change.
_REPORT_FIELDS = ["rt_id", "reporter_id", "state"]


def _identity_visible_in_report(info: Info, detail) -> bool:
    report = detail.report  # the parent ReportType's row, with _REPORT_FIELDS loaded
    return selectors.identity_visible(actor_of(info), rt_id=report.rt_id, report=report)


@strawberry_django.type(StayStartDetail, name="StayArrivalDetails")
class StayStartDetailType:
    name: auto
    sex: enums.Sex
    birth_place: auto
    citizenship: enums.Citizenship
    occupation: enums.Occupation | None
    origin_address: auto
    purpose: StayPurpose
    purpose_note: auto
    housing: Housing | None
    host_household: (
        Annotated[HouseholdRefType, strawberry.lazy("graphql_schema.population.types")] | None
    )
    host_address: auto
    host_name: auto
    start_date: date
    expected_end_date: date | None

    @strawberry_django.field(only=["nik"], description="NIK, masked.")
    def nik(self) -> str:
        return mask_nik(self.nik)

    @strawberry_django.field(
        only=["birth_date"],
        description=_BIRTH_DATE_HELP
        + " The Ketua RT who wrote the report sees what they typed while it is a draft or "
        "sent back for revision.",
    )
    def birth_date(self, info: Info) -> date | None:
        return self.birth_date if _identity_visible_in_report(info, self) else None

    @strawberry_django.field(only=["birth_date"])
    def birth_year(self) -> int:
        return self.birth_date.year

    @strawberry_django.field(only=["birth_date"], description="Age in whole years today (WITA).")
    def age(self) -> int:
        return self.age_on(today_wita())

    @strawberry_django.field(
        only=["passport_number"],
        description=_PASSPORT_HELP,
    )
    def passport_number(self, info: Info) -> str:
        if _identity_visible_in_report(info, self):
            return self.passport_number
        return mask_number(self.passport_number)


@strawberry_django.type(NonPermanentStay, name="NonPermanentStay")
class NonPermanentStayType:
    id: auto
    rt: Annotated[RTRefType, strawberry.lazy("graphql_schema.wilayah.types")]
    name: auto
    sex: enums.Sex
    citizenship: enums.Citizenship
    origin_address: auto
    purpose: StayPurpose
    housing: Housing | None
    host_address: auto
    start_date: date
    expected_end_date: date | None
    end_date: date | None
    end_reason: StayEndReason | None

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.stay_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(only=["nik"], description="NIK, masked.")
    def nik(self) -> str:
        return mask_nik(self.nik)

    @strawberry_django.field(only=["birth_date", "rt_id"], description=_BIRTH_DATE_HELP)
    def birth_date(self, info: Info) -> date | None:
        if selectors.identity_visible(actor_of(info), rt_id=self.rt_id):
            return self.birth_date
        return None

    @strawberry_django.field(only=["birth_date"])
    def birth_year(self) -> int:
        return self.birth_date.year

    @strawberry_django.field(only=["birth_date"], description="Age in whole years today (WITA).")
    def age(self) -> int:
        return self.age_on(today_wita())

    @strawberry_django.field(
        only=["start_date"],
        description="One year after arrival: the longest a non-permanent stay may last.",
    )
    def one_year_mark(self) -> date:
        return selectors.stay_one_year_mark(self.start_date)

    @strawberry_django.field(
        only=["start_date", "end_date"],
        description="Open and within the warning days of one year (Permendagri 74/2022).",
    )
    def near_limit(self) -> bool:
        near, over = selectors.stay_limit_dates(today_wita())
        return self.end_date is None and over < self.start_date <= near

    @strawberry_django.field(
        only=["start_date", "end_date"],
        description="Open for a year or more: the person should make a formal move.",
    )
    def over_limit(self) -> bool:
        return self.end_date is None and self.start_date <= selectors.stay_limit_dates()[1]


@strawberry_django.type(StayEndDetail, name="StayEndDetails")
class StayEndDetailType:
    stay: NonPermanentStayType | None
    end_date: date
    reason: StayEndReason


@strawberry_django.type(GotongRoyongDetail, name="GotongRoyongDetails")
class GotongRoyongDetailType:
    activity_type: GotongRoyongType
    title: auto
    place: auto
    participants: auto
    output: auto
    labour_value: auto
    materials_value: auto
    cash_value: auto
    government_value: auto
    is_bbgrm: auto
    description: auto

    @strawberry_django.field(only=["institutions"])
    def institutions(self) -> list[Institution]:
        return [Institution(code) for code in self.institutions]

    @strawberry_django.field(
        only=["labour_value", "materials_value", "cash_value"],
        description="Labour, materials and cash from the community (Rp).",
    )
    def community_value(self) -> int:
        return self.community_value


@strawberry_django.type(IssueDetail, name="IssueDetails")
class IssueDetailType:
    issue_type: IssueType
    category: IssueCategory
    title: auto
    location: auto
    description: auto
    follow_up: FollowUp
    follow_up_note: auto
    follow_up_at: datetime | None


# -- reports -------------------------------------------------------------------


@strawberry_django.filter_type(Report)
class ReportFilter:
    kind: ReportKind | None = strawberry_django.filter_field()
    state: ReportState | None = strawberry_django.filter_field()

    @strawberry_django.filter_field(description="Reports of the RT with this code.")
    def rt_code(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}rt__code": value.strip()})

    @strawberry_django.filter_field(description="Reports dated on or after this day.")
    def date_from(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}report_date__gte": value})

    @strawberry_django.filter_field(description="Reports dated on or before this day.")
    def date_to(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}report_date__lte": value})


@strawberry_django.filter_type(NonPermanentStay)
class StayFilter:
    @strawberry_django.filter_field(description="Only open stays (true) or only ended ones.")
    def is_open(self, value: bool, prefix: str) -> Q:
        return Q(**{f"{prefix}end_date__isnull": value})

    @strawberry_django.filter_field(description="Stays of the RT with this code.")
    def rt_code(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}rt__code": value.strip()})

    @strawberry_django.filter_field(description="Open stays near or past one year.")
    def needs_attention(self, value: bool, prefix: str) -> Q:
        near, _over = selectors.stay_limit_dates()
        q = Q(**{f"{prefix}end_date__isnull": True, f"{prefix}start_date__lte": near})
        return q if value else ~q


@strawberry_django.type(Report, name="Report")
class ReportType:
    id: auto
    kind: ReportKind
    state: ReportState
    rt: Annotated[RTRefType, strawberry.lazy("graphql_schema.wilayah.types")]
    report_date: date
    note: auto
    client_key: auto
    created_at: auto
    updated_at: auto
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: auto = strawberry_django.field(
        description="Why it was rejected or sent back for revision."
    )
    photos: list[ReportPhotoType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True
    )
    activity: ActivityDetailType | None = strawberry_django.field(field_name="activitydetail")
    death: DeathDetailType | None = strawberry_django.field(field_name="deathdetail")
    # The parent's rt, reporter and state decide whether the details show the birth
    # date (``selectors.identity_visible``): loaded with them, no query per report.
    stay_arrival: StayStartDetailType | None = strawberry_django.field(
        field_name="staystartdetail", only=_REPORT_FIELDS
    )
    stay_end: StayEndDetailType | None = strawberry_django.field(field_name="stayenddetail")
    gotong_royong: GotongRoyongDetailType | None = strawberry_django.field(
        field_name="gotongroyongdetail"
    )
    issue: IssueDetailType | None = strawberry_django.field(field_name="issuedetail")

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.report_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(
        select_related=["reporter"],
        only=["reporter__first_name", "reporter__last_name", "reporter__username"],
    )
    def reporter_name(self) -> str:
        return self.reporter.get_full_name() or self.reporter.get_username()

    @strawberry_django.field(
        only=["state", "rt_id", "reporter_id", "kind"],
        description="Workflow steps the caller may take on this report now.",
    )
    def available_actions(self, info: Info) -> list[ReportAction]:
        actor = actor_of(info)
        known = {a.value for a in ReportAction}
        return [ReportAction(t.name) for t in workflow.available(self, actor) if t.name in known]

    @strawberry_django.field(only=["state"], description="Approved or rejected: final.")
    def is_decided(self) -> bool:
        return self.state in choices.DECIDED_STATES


# -- payloads ------------------------------------------------------------------


@strawberry.type(name="ReportSavePayload")
class ReportSavePayload:
    report: ReportType | None
    created: bool = strawberry.field(description="A new report was made by this request.")
    replayed: bool = strawberry.field(
        description="The same request was seen before (same client key and content): "
        "this is its first result and nothing changed."
    )
    errors: list[FieldErrorType]
    warnings: list[WarningType]


@strawberry.type(name="ReportPayload")
class ReportPayload:
    report: ReportType | None
    errors: list[FieldErrorType]


@strawberry.type(name="ReportDeletePayload")
class ReportDeletePayload:
    deleted: bool
    errors: list[FieldErrorType]


# -- compliance ----------------------------------------------------------------


@strawberry.type(name="RTCompliance")
class RTComplianceType:
    rt_code: str
    rt_label: str
    kelurahan_name: str
    expected: int = strawberry.field(description="Reporting periods expected.")
    reported: int = strawberry.field(description="Periods with a report that counts.")
    rate: float | None = strawberry.field(description="reported / expected (0 to 1).")
    last_report: date | None
    days_since_last_report: int | None
    streak: int = strawberry.field(description="Consecutive reported periods up to now.")
    reported_current_period: bool
    pending: int = strawberry.field(
        description="Reports waiting for a decision (sent, not decided; any date)."
    )
    revision_requested: int = strawberry.field(
        description="Reports sent back to the Ketua RT for revision (not waiting for a decision)."
    )
    reporting_since: date | None = strawberry.field(
        description=(
            "Since when the RT's kelurahan uses Lapor RT; null: not yet (nothing is "
            "expected, and the RT is left out of the region's figures)."
        )
    )


@strawberry.type(name="RegionCompliance")
class RegionComplianceType:
    level: str
    name: str
    rts: int
    rts_reported_current_period: int
    rts_not_reported_current_period: int
    rts_silent: int = strawberry.field(description="RTs with no report for a week or more.")
    expected: int
    reported: int
    rate: float | None
    pending: int = strawberry.field(description="Reports waiting for a decision.")
    revision_requested: int = strawberry.field(description="Reports sent back for revision.")
    rts_not_using: int = strawberry.field(
        description="RTs of kelurahan not using Lapor RT yet (not in rts or the rate)."
    )


@strawberry.type(name="CalendarDay")
class CalendarDayType:
    date: date
    reported: bool = strawberry.field(description="A report that counts is dated this day.")
    approved: int
    pending: int = strawberry.field(description="Reports waiting for a decision.")
    revision_requested: int = strawberry.field(description="Reports sent back for revision.")
    rejected: int
    drafts: int
    kinds: list[ReportKind]


@strawberry.type(name="ReportingCalendar")
class ReportingCalendarType:
    rt: Annotated[RTRefType, strawberry.lazy("graphql_schema.wilayah.types")]
    date_from: date
    date_to: date
    days: list[CalendarDayType]
    streak: int
    last_report: date | None
    days_since_last_report: int | None
    rate: float | None


def rt_compliance_type(rt) -> RTComplianceType:
    return RTComplianceType(
        rt_code=rt.code,
        rt_label=rt.label,
        kelurahan_name=rt.kelurahan_name,
        expected=rt.expected,
        reported=rt.reported,
        rate=rt.rate,
        last_report=rt.last_report,
        days_since_last_report=rt.days_since_last,
        streak=rt.streak,
        reported_current_period=rt.reported_current,
        pending=rt.pending,
        revision_requested=rt.revision_requested,
        reporting_since=rt.reporting_since,
    )


def region_compliance_type(region) -> RegionComplianceType:
    return RegionComplianceType(
        level=region.level,
        name=region.name,
        rts=region.rts,
        rts_reported_current_period=region.rts_reported_current,
        rts_not_reported_current_period=region.rts_not_reported_current,
        rts_silent=region.rts_silent,
        expected=region.expected,
        reported=region.reported,
        rate=region.rate,
        pending=region.pending,
        revision_requested=region.revision_requested,
        rts_not_using=region.rts_not_using,
    )
