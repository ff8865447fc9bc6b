"""Regions: browse kecamatan > kelurahan > RT > households > residents.

Kecamatan and kelurahan are reference data (loaded from the Kemendagri
fixtures) and read-only here. Kelurahan staff and the Lurah keep their
kelurahan's RT list (``Cap.REGION_CHANGE``) through
``backend.wilayah.services``. Every count in these lists comes from the
selectors, so a Ketua RT looking at their kelurahan sees one RT and their
own residents, never the kelurahan's totals.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from admin_config.base import ReadOnlyScopedModelAdmin, ScopedModelAdmin, scope_of
from admin_config.filters import ScopedRelatedFilter
from backend.accounts.roles import Cap
from backend.population.codes import LifeStatus, Residency
from backend.population.selectors import household_list, resident_list
from backend.wilayah import services
from backend.wilayah.models import RT, Kecamatan, Kelurahan
from backend.wilayah.selectors import kecamatan_list, kelurahan_list, rt_list


def count_of(queryset: QuerySet, outer: str) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset`` rows whose ``outer`` is the outer row."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def living_permanent(queryset: QuerySet) -> QuerySet:
    return queryset.filter(Q(status=LifeStatus.ALIVE) & Q(residency=Residency.PERMANENT))


def changelist_link(name: str, query: str, label) -> str:
    return format_html('<a href="{}?{}">{}</a>', reverse(f"admin:{name}_changelist"), query, label)


def spans_kelurahan(request: HttpRequest) -> bool:
    """Whether the user's scope covers more than one kelurahan."""
    scope = scope_of(request)
    return bool(
        scope.is_superuser
        or scope.held.kota
        or scope.held.kecamatan
        or len(scope.visible.kelurahan) > 1
    )


class RegionAdmin(ReadOnlyScopedModelAdmin):
    """A region row is visible when the region selector returns it."""

    def obj_allows(self, request: HttpRequest, cap: str, obj) -> bool:
        return self.get_queryset(request).filter(pk=obj.pk).exists()


@admin.register(Kecamatan)
class KecamatanAdmin(RegionAdmin):
    list_display = ("name", "code", "kelurahan_link", "rts", "residents")
    search_fields = ("name", "code")
    fields = ("name", "code", "kota", "kelurahan_link", "rts", "residents")
    readonly_fields = fields

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        actor = request.user
        return kecamatan_list(actor=actor, cap=cap).select_related("kota")

    def with_list_annotations(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        actor = request.user
        return queryset.annotate(
            n_kelurahan=count_of(kelurahan_list(actor=actor), "kecamatan"),
            n_rts=count_of(rt_list(actor=actor), "kelurahan__kecamatan"),
            n_residents=count_of(
                living_permanent(resident_list(actor=actor)), "rt__kelurahan__kecamatan"
            ),
        )

    @admin.display(description=_("kelurahan"), ordering="n_kelurahan")
    def kelurahan_link(self, obj):
        return changelist_link(
            "wilayah_kelurahan", f"kecamatan__id__exact={obj.pk}", obj.n_kelurahan
        )

    @admin.display(description=_("RTs"), ordering="n_rts")
    def rts(self, obj):
        return changelist_link("wilayah_rt", f"kelurahan__kecamatan__id__exact={obj.pk}", obj.n_rts)

    @admin.display(description=_("residents"), ordering="n_residents")
    def residents(self, obj):
        return changelist_link(
            "population_resident",
            f"rt__kelurahan__kecamatan__id__exact={obj.pk}&status__exact=1&residency__exact=1",
            obj.n_residents,
        )


@admin.register(Kelurahan)
class KelurahanAdmin(RegionAdmin):
    list_display = ("name", "code", "kecamatan", "rts", "households", "residents", "synthetic")
    list_filter = (("kecamatan", ScopedRelatedFilter), "rt_count_is_synthetic")
    search_fields = ("name", "code")
    fields = (
        "name",
        "code",
        "kecamatan",
        "postal_code",
        "rt_count_is_synthetic",
        "rts",
        "households",
        "residents",
    )
    readonly_fields = fields

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        actor = request.user
        return kelurahan_list(actor=actor, cap=cap).select_related("kecamatan")

    def with_list_annotations(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        actor = request.user
        return queryset.annotate(
            n_rts=count_of(rt_list(actor=actor), "kelurahan"),
            n_households=count_of(household_list(actor=actor), "rt__kelurahan"),
            n_residents=count_of(living_permanent(resident_list(actor=actor)), "rt__kelurahan"),
        )

    def choice_label(self, obj) -> str:
        return obj.name

    @admin.display(description=_("RTs"), ordering="n_rts")
    def rts(self, obj):
        return changelist_link("wilayah_rt", f"kelurahan__id__exact={obj.pk}", obj.n_rts)

    @admin.display(description=_("households (KK)"), ordering="n_households")
    def households(self, obj):
        return changelist_link(
            "population_household", f"rt__kelurahan__id__exact={obj.pk}", obj.n_households
        )

    @admin.display(description=_("residents"), ordering="n_residents")
    def residents(self, obj):
        return changelist_link(
            "population_resident",
            f"rt__kelurahan__id__exact={obj.pk}&status__exact=1&residency__exact=1",
            obj.n_residents,
        )

    @admin.display(description=_("synthetic RT list"), boolean=True)
    def synthetic(self, obj):
        return obj.rt_count_is_synthetic


@admin.register(RT)
class RTAdmin(ScopedModelAdmin):
    view_cap = Cap.POPULATION_VIEW
    change_cap = Cap.REGION_CHANGE
    list_display = (
        "label",
        "kelurahan_name",
        "code",
        "ketua_name",
        "households",
        "residents",
        "is_active",
        "is_synthetic",
    )
    list_display_links = ("label",)
    list_filter = (("kelurahan", ScopedRelatedFilter), "is_active", "is_synthetic")
    search_fields = ("code", "ketua_name")
    search_help_text = _("RT number, code or the Ketua RT's name.")
    ordering = ("kelurahan__name", "number")
    readonly_fields = ("code", "is_synthetic", "households", "residents")

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        actor = request.user
        return rt_list(actor=actor, cap=cap).select_related("kelurahan__kecamatan__kota")

    def with_list_annotations(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        actor = request.user
        return queryset.annotate(
            n_households=count_of(household_list(actor=actor), "rt"),
            n_residents=count_of(living_permanent(resident_list(actor=actor)), "rt"),
        )

    def choice_label(self, obj) -> str:
        return f"{obj.label} · {obj.kelurahan.name}"

    def rt_of(self, obj):
        return obj

    def obj_allows(self, request: HttpRequest, cap: str, obj) -> bool:
        scope = scope_of(request)
        if cap == Cap.REGION_CHANGE:
            return scope.can_in_kelurahan(cap, obj.kelurahan)
        return scope.can(cap, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # An RT is never deleted: a frozen or merged RT is made inactive.
        return False

    def get_fields(self, request: HttpRequest, obj=None):
        fields = ["kelurahan", "number", "ketua_name", "is_active", "valid_from", "valid_until"]
        if obj is not None:
            fields += ["code", "is_synthetic", "households", "residents"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("kelurahan")  # moving an RT is a city decision, not an edit
        return readonly

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """ "5", "RT 005", "karang rejo 5", a code or the Ketua RT's name."""
        words = [w for w in search_term.replace("RT", " ").replace("rt", " ").split() if w]
        numbers = [w for w in words if w.isdigit()]
        names = [w for w in words if not w.isdigit()]
        if not words:
            return queryset, False
        q = Q()
        if numbers:
            q &= Q(number=int(numbers[-1]))
        for word in names:
            q &= (
                Q(kelurahan__name__icontains=word)
                | Q(ketua_name__icontains=word)
                | Q(code__startswith=word)
            )
        return queryset.filter(q), False

    def run_service(self, request: HttpRequest, form, *, change: bool):
        data = form.cleaned_data
        if change:
            return services.rt_update(
                actor=request.user, rt=form.instance, **form.changed_values(services.RT_FIELDS)
            )
        return services.rt_create(
            actor=request.user,
            kelurahan=data.get("kelurahan"),
            number=data.get("number"),
            ketua_name=data.get("ketua_name", ""),
            is_active=data.get("is_active", True),
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
        )

    @admin.display(description=_("RT"), ordering="number")
    def label(self, obj):
        return obj.label

    @admin.display(description=_("kelurahan"), ordering="kelurahan__name")
    def kelurahan_name(self, obj):
        return obj.kelurahan.name

    @admin.display(description=_("households (KK)"), ordering="n_households")
    def households(self, obj):
        return changelist_link("population_household", f"rt__id__exact={obj.pk}", obj.n_households)

    @admin.display(description=_("residents"), ordering="n_residents")
    def residents(self, obj):
        return changelist_link(
            "population_resident",
            f"rt__id__exact={obj.pk}&status__exact=1&residency__exact=1",
            obj.n_residents,
        )
