"""List filters whose choices never name a region outside the user's scope."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.admin.exceptions import NotRegistered
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    DropdownFilter,
    RelatedDropdownFilter,
)

from backend.accounts.roles import Cap
from backend.population.age import AGE_BANDS, AGE_BANDS_BY_KEY, age_band_q, today_wita


class ScopedRelatedFilter(RelatedDropdownFilter):
    """A related-field filter whose choices come from the related model's admin,
    that is from its selector: a Ketua RT's RT filter lists their RT only."""

    def field_choices(self, field, request: HttpRequest, model_admin):
        try:
            related_admin = model_admin.admin_site.get_model_admin(field.related_model)
        except NotRegistered:
            return []
        label = getattr(related_admin, "choice_label", str)
        scoped = getattr(related_admin, "scoped_queryset", related_admin.get_queryset)
        rows = scoped(request)
        ordering = related_admin.get_ordering(request)
        if ordering:
            rows = rows.order_by(*ordering)
        return [(obj.pk, label(obj)) for obj in rows]

    def has_output(self) -> bool:
        # Django skips a filter with a single choice, and then ignores its URL
        # value too; a value that is set must still filter (to nothing, when
        # the region lies outside the scope).
        return super().has_output() or bool(self.value())


class ChoicesFilter(ChoicesDropdownFilter):
    """A dropdown over a field's choices (sex, life status, residency)."""


class AgeBandFilter(DropdownFilter):
    """Residents by age band (``backend.population.age``), computed from the birth date in SQL."""

    title = _("age band")
    parameter_name = "age_band"

    def lookups(self, request: HttpRequest, model_admin):
        return [(band.key, band.label) for band in AGE_BANDS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        band = AGE_BANDS_BY_KEY.get(self.value() or "")
        return queryset.filter(age_band_q(band)) if band else queryset


class NikPresenceFilter(DropdownFilter):
    """Residents with or without a NIK yet (a URL lookup on ``nik`` itself is refused)."""

    title = _("NIK")
    parameter_name = "has_nik"

    def lookups(self, request: HttpRequest, model_admin):
        return [("yes", _("has a NIK")), ("no", _("no NIK yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(nik__isnull=False)
        if self.value() == "no":
            return queryset.filter(nik__isnull=True)
        return queryset


class RecentBirthFilter(DropdownFilter):
    """Residents born in the last days (the dashboard's news links here).

    A URL lookup on the birth date is refused (it would give birth dates away);
    this filter answers only in RTs where the user may see birth dates, and is
    not offered at all to roles that may see none.
    """

    title = _("born recently")
    parameter_name = "born_within"
    DAYS = {"7": 7, "30": 30}

    def lookups(self, request: HttpRequest, model_admin):
        if not request.user.scope.has(Cap.POPULATION_VIEW_NIK):
            return []
        return [("7", _("in the last 7 days")), ("30", _("in the last 30 days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        days = self.DAYS.get(self.value() or "")
        if not days:
            return queryset
        since = today_wita() - timedelta(days=days - 1)
        nik_rts = request.user.scope.rt_ids(Cap.POPULATION_VIEW_NIK)
        return queryset.filter(birth_date__gte=since, rt_id__in=sorted(nik_rts))
