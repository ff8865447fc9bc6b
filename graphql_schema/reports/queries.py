from __future__ import annotations

from datetime import date

import strawberry
import strawberry_django
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated

from backend.accounts.roles import Cap
from backend.common.errors import DomainError
from backend.reports import compliance, selectors
from backend.reports.models import Report
from backend.wilayah import selectors as region_selectors
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota
from graphql_schema.errors import camel
from graphql_schema.fields import max_page_size, record_id
from graphql_schema.permissions import IsAuthenticated, actor_of
from graphql_schema.reports.types import (
    CalendarDayType,
    NonPermanentStayType,
    RegionComplianceType,
    ReportFilter,
    ReportingCalendarType,
    ReportKind,
    ReportType,
    RTComplianceType,
    StayFilter,
    region_compliance_type,
    rt_compliance_type,
)
from graphql_schema.wilayah.queries import one

_AUTH = [IsAuthenticated]
MAX_CALENDAR_DAYS = 92
MAX_COMPLIANCE_DAYS = 400


@strawberry.type(name="ComplianceSummary")
class ComplianceSummaryType:
    date_from: date
    date_to: date
    cadence: str = strawberry.field(description="daily or weekly (a setting).")
    total: RegionComplianceType
    kecamatan: list[RegionComplianceType]
    kelurahan: list[RegionComplianceType]
    rt_count: int
    result: strawberry.Private[compliance.Compliance]

    @strawberry.field(
        description=(
            "Per RT, in region order; a page at a time. onlyNotReported: RTs without a "
            "report in the current period, longest silence first."
        )
    )
    def rts(
        self, offset: int = 0, limit: int = 100, only_not_reported: bool = False
    ) -> list[RTComplianceType]:
        if limit > max_page_size() or limit < 0 or offset < 0:
            raise DomainError(
                "page_size_too_large",
                _("Page size %(limit)d is above the maximum of %(max)d.")
                % {"limit": limit, "max": max_page_size()},
            )
        rows = self.result.not_reported if only_not_reported else self.result.rts
        return [rt_compliance_type(rt) for rt in rows[offset : offset + limit]]


def _period(date_from: date | None, date_to: date | None, default_days: int, max_days: int):
    """The asked period, checked by ``compliance.clean_period`` (field names in camelCase)."""
    try:
        return compliance.clean_period(
            date_from, date_to, default_days=default_days, max_days=max_days
        )
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, field=camel(exc.field)) from None


def _region_filter(actor, code: str | None) -> dict | None:
    """Narrowing for ``compliance.compute``; None when the code is not a region in scope."""
    if not code:
        return {}
    code = code.strip()
    lookups = [
        (RT, region_selectors.rt_list, lambda r: {"rt_ids": [r.pk]}),
        (Kelurahan, region_selectors.kelurahan_list, lambda r: {"kelurahan_id": r.pk}),
        (Kecamatan, region_selectors.kecamatan_list, lambda r: {"kecamatan_id": r.pk}),
        (Kota, region_selectors.kota_list, lambda r: {}),
    ]
    for model, selector, narrowing in lookups:
        region = selector(actor=actor, queryset=model.objects.filter(code=code)).first()
        if region is not None:
            return narrowing(region)
    return None


@strawberry.type
class ReportsQuery:
    reports: OffsetPaginated[ReportType] = strawberry_django.offset_paginated(
        filters=ReportFilter,
        permission_classes=_AUTH,
        description=(
            "Reports the caller may read (a Ketua RT: their RT's), newest first, with their states."
        ),
    )
    non_permanent_stays: OffsetPaginated[NonPermanentStayType] = strawberry_django.offset_paginated(
        filters=StayFilter,
        permission_classes=_AUTH,
        description=(
            "Non-permanent residents' stays (Buku Penduduk Sementara), counted apart "
            "from the permanent residents."
        ),
    )

    @strawberry_django.offset_paginated(
        OffsetPaginated[ReportType],
        filters=ReportFilter,
        permission_classes=_AUTH,
        description="Reports waiting for the caller's decision, oldest submission first.",
    )
    def report_queue(self, info: Info) -> QuerySet[Report]:
        return selectors.report_queue(actor=actor_of(info))

    @strawberry_django.field(permission_classes=_AUTH, description="A report by id.")
    def report(self, info: Info, id: strawberry.ID) -> ReportType | None:
        pk = record_id(id)
        return None if pk is None else one(ReportType, info, Report.objects.filter(pk=pk))

    @strawberry.field(
        permission_classes=_AUTH,
        description=(
            "One RT's reporting days (default: the last 30 days; at most 92). Without rtCode, "
            "the caller's own RT."
        ),
    )
    def reporting_calendar(
        self,
        info: Info,
        rt_code: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> ReportingCalendarType | None:
        actor = actor_of(info)
        start, end = _period(date_from, date_to, 30, MAX_CALENDAR_DAYS)
        rts = compliance.scoped_rts(actor=actor)
        if rt_code:
            rt = rts.filter(code=rt_code.strip()).first()
        else:
            own = [pk for pk in actor.scope.rt_ids(Cap.REPORT_SUBMIT)]
            rt = rts.filter(pk=own[0]).first() if len(own) == 1 else None
        if rt is None:
            return None
        figures = compliance.compute(actor=actor, start=start, end=end, rt_ids=[rt.pk]).rts[0]
        days = compliance.rt_calendar(actor=actor, rt=rt, start=start, end=end)
        return ReportingCalendarType(
            rt=rt,
            date_from=start,
            date_to=end,
            days=[
                CalendarDayType(
                    date=d.day,
                    reported=d.reported,
                    approved=d.approved,
                    pending=d.pending,
                    revision_requested=d.revision_requested,
                    rejected=d.rejected,
                    drafts=d.drafts,
                    kinds=[ReportKind(k) for k in d.kinds],
                )
                for d in days
            ],
            streak=figures.streak,
            last_report=figures.last_report,
            days_since_last_report=figures.days_since_last,
            rate=figures.rate,
        )

    @strawberry.field(
        permission_classes=_AUTH,
        description=(
            "Which RTs report, per RT and rolled up per kelurahan and kecamatan, over a "
            "period (default: the last 30 days; at most 400). regionCode narrows it to a "
            "kecamatan, kelurahan or RT in the caller's scope."
        ),
    )
    def compliance(
        self,
        info: Info,
        region_code: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> ComplianceSummaryType | None:
        actor = actor_of(info)
        start, end = _period(date_from, date_to, 30, MAX_COMPLIANCE_DAYS)
        narrowing = _region_filter(actor, region_code)
        if narrowing is None:
            return None
        result = compliance.compute(actor=actor, start=start, end=end, **narrowing)
        return ComplianceSummaryType(
            date_from=result.start,
            date_to=result.end,
            cadence="weekly" if result.cadence == 7 else "daily",
            total=region_compliance_type(result.total),
            kecamatan=[region_compliance_type(r) for r in result.kecamatan],
            kelurahan=[region_compliance_type(r) for r in result.kelurahan],
            rt_count=len(result.rts),
            result=result,
        )
