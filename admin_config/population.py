"""Households (Kartu Keluarga) and residents.

Search: a full 16-digit NIK or KK number (exact), or a name. A partial
number is deliberately not searched: numbers are masked on screen, and a
"starts with" search would let anyone read the hidden digits (birth date,
sex) one guess at a time. An exact number reveals nothing the user did not
type. The same reasoning forbids URL lookups, ordering and ``_to_field`` on
``nik`` and ``no_kk`` (``sensitive_fields``).
"""

from __future__ import annotations

import re
from functools import reduce
from operator import and_

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponseNotAllowed
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from admin_config import nik
from admin_config.audit import AuditHistoryMixin
from admin_config.base import ScopedModelAdmin, ServiceModelForm, scope_of
from admin_config.filters import (
    AgeBandFilter,
    ChoicesFilter,
    NikPresenceFilter,
    RecentBirthFilter,
    ScopedRelatedFilter,
)
from admin_config.imports import ScopedExportMixin
from admin_config.wilayah import count_of, spans_kelurahan
from backend.accounts.roles import Cap
from backend.common.masking import mask_no_kk, mask_number
from backend.population import services
from backend.population.age import today_wita
from backend.population.codes import LifeStatus, Relationship
from backend.population.models import Household, Resident
from backend.population.selectors import household_list, resident_list

_NUMBER_CHARS = re.compile(r"[\s.\-]")


def full_number(term: str) -> str | None:
    """The 16 digits of a search term that is a complete NIK or KK number, else None."""
    digits = _NUMBER_CHARS.sub("", term)
    return digits if len(digits) == 16 and digits.isdigit() else None


def looks_like_partial_number(term: str) -> bool:
    digits = _NUMBER_CHARS.sub("", term)
    return digits.isdigit() and len(digits) != 16


def name_q(term: str, field: str) -> Q:
    """Every word of ``term`` in ``field``."""
    words = term.split()
    return reduce(and_, (Q(**{f"{field}__icontains": w}) for w in words)) if words else Q()


class RevealMixin:
    """The full number of a record (NIK, KK number), on purpose: a POST-only view that
    checks the right over the record's RT, records the reveal and shows the number; and
    each detail page's object marked with whether this user may reveal it.

    Subclasses name the field (``reveal_field``), the URL's last part
    (``reveal_path``), the title and the prefix of the element the number replaces.
    """

    reveal_field: str
    reveal_path: str
    reveal_title: str
    reveal_dom_prefix: str

    def get_object(self, request: HttpRequest, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.can_reveal = nik.can_reveal(request, obj.rt)
        return obj

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                f"<path:object_id>/{self.reveal_path}/",
                self.admin_site.admin_view(self.reveal_view),
                name=f"{opts.app_label}_{opts.model_name}_reveal",
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request: HttpRequest, object_id: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not nik.can_reveal(request, obj.rt):
            raise PermissionDenied
        value = getattr(obj, self.reveal_field)
        if value:  # a resident without a NIK yet: nothing was revealed
            nik.record_reveal(request, instance=obj, rt=obj.rt, field=self.reveal_field)
        opts = self.model._meta
        return nik.reveal_response(
            request,
            admin_site=self.admin_site,
            value=value or "—",
            dom_id=f"{self.reveal_dom_prefix}-{obj.pk}",
            title=self.reveal_title,
            back_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        )


class PartialNumberNotice:
    """Explains, once per search, why a partial number found nothing."""

    def changelist_view(self, request: HttpRequest, extra_context=None):
        term = request.GET.get("q", "")
        if term and looks_like_partial_number(term):
            messages.info(
                request,
                _("To search by NIK or KK number, type all 16 digits."),
            )
        elif term and full_number(term) and not scope_of(request).has(Cap.POPULATION_VIEW_NIK):
            messages.info(
                request,
                _(
                    "Searching by NIK or KK number is only for roles that may see full "
                    "numbers; search by name instead."
                ),
            )
        return super().changelist_view(request, extra_context)


# -- households ------------------------------------------------------------------


class HouseholdForm(ServiceModelForm):
    new_no_kk = forms.CharField(
        label=_("KK number"),
        required=False,
        max_length=32,
        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Household
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_change and "new_no_kk" in self.fields:
            self.fields["new_no_kk"].label = _("New KK number")
            self.fields["new_no_kk"].help_text = _(
                "Leave empty to keep the current number. The current number is never "
                "filled in here."
            )


@admin.register(Household)
class HouseholdAdmin(
    AuditHistoryMixin, ScopedExportMixin, RevealMixin, PartialNumberNotice, ScopedModelAdmin
):
    form = HouseholdForm
    sensitive_fields = ("no_kk",)
    reveal_field, reveal_path, reveal_dom_prefix = "no_kk", "reveal-kk", "kk"
    reveal_title = _("KK number")
    service_field_map = {"no_kk": "new_no_kk"}
    list_display = (
        "kk",
        "head",
        "rt_label",
        "address",
        "members",
        "needs_update",
    )
    list_filter = (
        ("rt", ScopedRelatedFilter),
        ("rt__kelurahan", ScopedRelatedFilter),
        "needs_update",
    )
    search_fields = ("address",)  # searching is get_search_results' job
    search_help_text = _("Full 16-digit KK number or a member's NIK, a member's name, or address.")
    readonly_fields = ("kk_display", "head", "members")
    autocomplete_fields = ("rt",)
    change_form_after_template = "admin_config/household_members.html"

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        actor = request.user
        heads = resident_list(actor=actor).filter(
            household=OuterRef("pk"), relationship=Relationship.HEAD, status=LifeStatus.ALIVE
        )
        qs = (
            household_list(actor=actor, **({"cap": cap} if cap else {}))
            .select_related("rt__kelurahan__kecamatan")
            .annotate(head_name=Subquery(heads.values("name")[:1]))
        )
        return qs

    def with_list_annotations(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        living = resident_list(actor=request.user).filter(status=LifeStatus.ALIVE)
        return queryset.annotate(n_members=count_of(living, "household"))

    def choice_label(self, obj) -> str:
        head = getattr(obj, "head_name", None) or "—"
        return f"{mask_no_kk(obj.no_kk)} · {head} · {obj.rt.label}"

    def get_list_display(self, request: HttpRequest):
        columns = list(self.list_display)
        if spans_kelurahan(request):
            columns.insert(3, "kelurahan_name")
        return columns

    def get_fieldsets(self, request: HttpRequest, obj=None):
        writable = self.has_change_permission(request, obj) if obj else True
        identity = ["kk_display", "new_no_kk"] if obj else ["new_no_kk"]
        if not writable:
            identity = ["kk_display"]
        fieldsets = [
            (None, {"fields": [*identity, "rt", "address", "postal_code", "issued_on"]}),
            (_("KK update"), {"fields": ["needs_update", "needs_update_reason"]}),
        ]
        if obj is not None:
            fieldsets[0][1]["fields"].insert(1, "head")
            fieldsets[0][1]["fields"].append("members")
        return fieldsets

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        number = full_number(term)
        if number:
            # Only where the user may see the numbers: elsewhere an exact search would
            # confirm a guessed NIK (birth date) behind the mask.
            nik_rts = scope_of(request).rt_q(Cap.POPULATION_VIEW_NIK, "rt")
            with_member = Resident.objects.filter(nik_rts, nik=number).values("household_id")
            return queryset.filter(nik_rts).filter(Q(no_kk=number) | Q(pk__in=with_member)), False
        if looks_like_partial_number(term):
            return queryset.none(), False
        members = Resident.objects.filter(name_q(term, "name")).values("household_id")
        return queryset.filter(Q(pk__in=members) | name_q(term, "address")), False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["household_members"] = self.member_rows(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def member_rows(self, request: HttpRequest, obj) -> list[dict]:
        today = today_wita()
        members = (
            resident_list(actor=request.user)
            .filter(household=obj)
            .order_by("relationship", "birth_date")
        )
        return [
            {
                "url": reverse("admin:population_resident_change", args=[m.pk]),
                "name": m.name,
                "nik": m.masked_nik or "—",
                "relationship": m.get_relationship_display() or "—",
                "sex": m.get_sex_display(),
                "age": m.age_on(today),
                "status": m.get_status_display(),
                "residency": m.get_residency_display(),
            }
            for m in members
        ]

    # -- writes ------------------------------------------------------------------

    def run_service(self, request: HttpRequest, form, *, change: bool):
        data = form.cleaned_data
        new_no_kk = (data.get("new_no_kk") or "").strip()
        allowed = (*services.HOUSEHOLD_FIELDS, "needs_update", "needs_update_reason")
        if change:
            changes = form.changed_values(allowed)
            changes.pop("no_kk", None)
            if new_no_kk:
                changes["no_kk"] = new_no_kk
            return services.household_update(actor=request.user, household=form.instance, **changes)
        fields = {
            name: data[name]
            for name in ("postal_code", "issued_on", "needs_update", "needs_update_reason")
            if name in data
        }
        return services.household_create(
            actor=request.user,
            rt=data.get("rt"),
            no_kk=new_no_kk,
            address=data.get("address", ""),
            **fields,
        )

    def delete_service(self, request: HttpRequest, obj) -> None:
        services.household_delete(actor=request.user, household=obj)

    def get_warnings(self, request: HttpRequest, obj):
        return services.household_warnings(obj)

    # -- columns -----------------------------------------------------------------------

    @admin.display(description=_("KK number"))
    def kk(self, obj):
        return format_html('<span class="font-mono">{}</span>', mask_no_kk(obj.no_kk))

    @admin.display(description=_("KK number"))
    def kk_display(self, obj):
        reveal_url = None
        if getattr(obj, "can_reveal", False):
            reveal_url = reverse("admin:population_household_reveal", args=[obj.pk])
        return nik.masked_html(
            value=obj.no_kk,
            dom_id=f"kk-{obj.pk}",
            reveal_url=reveal_url,
            button_label=_("Show KK number"),
        )

    @admin.display(description=_("head of household"))
    def head(self, obj):
        return getattr(obj, "head_name", None) or "—"

    @admin.display(description=_("RT"), ordering="rt__number")
    def rt_label(self, obj):
        return obj.rt.label.replace(" ", "\u00a0")

    @admin.display(description=_("kelurahan"), ordering="rt__kelurahan__name")
    def kelurahan_name(self, obj):
        return obj.rt.kelurahan.name

    @admin.display(description=_("living members"), ordering="n_members")
    def members(self, obj):
        return format_html(
            '<a href="{}?household__id__exact={}">{}</a>',
            reverse("admin:population_resident_changelist"),
            obj.pk,
            getattr(obj, "n_members", "—"),
        )


# -- residents ---------------------------------------------------------------------------

RESIDENT_FORM_FIELDS = tuple(f for f in services.RESIDENT_FIELDS if f != "nik")


class ResidentForm(ServiceModelForm):
    new_nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=32,
        help_text=_("Leave empty while the resident has no NIK yet."),
        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Resident
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_change and "new_nik" in self.fields:
            self.fields["new_nik"].label = _("New NIK")
            self.fields["new_nik"].help_text = _(
                "Leave empty to keep the current NIK. The current NIK is never filled in here."
            )
        if "rt" in self.fields:
            self.fields["rt"].required = False
            self.fields["rt"].help_text = _("Taken from the KK when a KK is chosen.")


@admin.register(Resident)
class ResidentAdmin(
    AuditHistoryMixin, ScopedExportMixin, RevealMixin, PartialNumberNotice, ScopedModelAdmin
):
    form = ResidentForm
    sensitive_fields = ("nik",)
    reveal_field, reveal_path, reveal_dom_prefix = "nik", "reveal-nik", "nik"
    reveal_title = _("NIK")
    service_field_map = {"nik": "new_nik"}
    list_display = (
        "name",
        "nik_masked",
        "age",
        "sex",
        "rt_label",
        "kk",
        "relationship",
        "status",
        "residency",
        "ikd_activated",
    )
    list_filter = (
        ("rt", ScopedRelatedFilter),
        ("rt__kelurahan", ScopedRelatedFilter),
        ("rt__kelurahan__kecamatan", ScopedRelatedFilter),
        ("sex", ChoicesFilter),
        AgeBandFilter,
        ("status", ChoicesFilter),
        ("residency", ChoicesFilter),
        "ikd_activated",
        NikPresenceFilter,
        RecentBirthFilter,
    )
    search_fields = ("name",)  # searching is get_search_results' job
    search_help_text = _("Full 16-digit NIK or KK number, or a name.")
    autocomplete_fields = ("household", "rt")
    readonly_fields = ("nik_display", "age", "birth_year", "passport_masked", "kitas_masked")

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        return resident_list(actor=request.user, **({"cap": cap} if cap else {})).select_related(
            "rt__kelurahan__kecamatan", "household"
        )

    def get_list_display(self, request: HttpRequest):
        columns = list(self.list_display)
        if spans_kelurahan(request):
            columns.insert(5, "kelurahan_name")
        return columns

    def get_sortable_by(self, request: HttpRequest):
        # Sorting by age orders by birth date: residents of the same age would line up by
        # birthday. Only for roles that may see birth dates.
        sortable = super().get_sortable_by(request)
        if scope_of(request).has(Cap.POPULATION_VIEW_NIK):
            return sortable
        return [name for name in sortable if name != "age"]

    def get_fieldsets(self, request: HttpRequest, obj=None):
        writable = self.has_change_permission(request, obj) if obj else True
        if obj is None:
            identity = ["new_nik"]
        elif writable:
            identity = ["nik_display", "new_nik"]
        else:
            identity = ["nik_display"]
        # A birth date is the masked part of a NIK: without NIK rights over the RT, the
        # year only, and passport/KITAS numbers masked (as on GraphQL).
        identity_visible = obj is None or nik.can_reveal(request, obj.rt)
        birth = "birth_date" if identity_visible else "birth_year"
        documents = (
            ["passport_number", "kitas_number"]
            if identity_visible
            else ["passport_masked", "kitas_masked"]
        )
        return [
            (
                _("Identity"),
                {
                    "fields": [
                        *identity,
                        "name",
                        "sex",
                        ("birth_place", birth),
                        *(["age"] if obj else []),
                        "religion",
                        "citizenship",
                        "blood_type",
                    ]
                },
            ),
            (
                _("Family and domicile"),
                {
                    "fields": [
                        "household",
                        "relationship",
                        "rt",
                        "father_name",
                        "mother_name",
                        "marital_status",
                        ("marriage_recorded", "marriage_date"),
                    ]
                },
            ),
            (_("Education and work"), {"fields": ["education", "occupation"]}),
            (
                _("Status"),
                {
                    "fields": [
                        ("status", "status_date"),
                        "residency",
                        ("ikd_activated", "ikd_activated_on"),
                    ]
                },
            ),
            (
                _("Documents and contact"),
                {"fields": [*documents, "phone"]},
            ),
        ]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        number = full_number(term)
        if number:
            nik_rts = scope_of(request).rt_q(Cap.POPULATION_VIEW_NIK, "rt")
            matches = Q(nik=number) | Q(household__no_kk=number)
            return queryset.filter(nik_rts).filter(matches), False
        if looks_like_partial_number(term):
            return queryset.none(), False
        return queryset.filter(name_q(term, "name")), False

    # -- writes ----------------------------------------------------------------------

    def run_service(self, request: HttpRequest, form, *, change: bool):
        data = form.cleaned_data
        new_nik = (data.get("new_nik") or "").strip()
        if change:
            changes = form.changed_values(RESIDENT_FORM_FIELDS)
            if new_nik:
                changes["nik"] = new_nik
            return services.resident_update(actor=request.user, resident=form.instance, **changes)
        fields = {
            name: data[name]
            for name in RESIDENT_FORM_FIELDS
            if name in data and name not in ("rt", "household")
        }
        return services.resident_register(
            actor=request.user,
            rt=data.get("rt"),
            household=data.get("household"),
            nik=new_nik or None,
            **fields,
        )

    def delete_service(self, request: HttpRequest, obj) -> None:
        services.resident_delete(actor=request.user, resident=obj)

    def get_warnings(self, request: HttpRequest, obj):
        return services.resident_warnings(obj)

    # -- columns --------------------------------------------------------------------------

    @admin.display(description=_("NIK"))
    def nik_masked(self, obj):
        return format_html('<span class="font-mono">{}</span>', obj.masked_nik or "—")

    @admin.display(description=_("NIK"))
    def nik_display(self, obj):
        reveal_url = None
        if obj.nik and getattr(obj, "can_reveal", False):
            reveal_url = reverse("admin:population_resident_reveal", args=[obj.pk])
        return nik.masked_html(
            value=obj.nik,
            dom_id=f"nik-{obj.pk}",
            reveal_url=reveal_url,
            button_label=_("Show NIK"),
        )

    @admin.display(description=_("year of birth"))
    def birth_year(self, obj):
        return obj.birth_date.year if obj.birth_date else "—"

    @admin.display(description=_("passport number"))
    def passport_masked(self, obj):
        return mask_number(obj.passport_number) or "—"

    @admin.display(description=_("KITAS/KITAP number"))
    def kitas_masked(self, obj):
        return mask_number(obj.kitas_number) or "—"

    @admin.display(description=_("age"), ordering="-birth_date")
    def age(self, obj):
        return obj.age_on(today_wita())

    @admin.display(description=_("RT"), ordering="rt__number")
    def rt_label(self, obj):
        return obj.rt.label.replace(" ", "\u00a0")

    @admin.display(description=_("kelurahan"), ordering="rt__kelurahan__name")
    def kelurahan_name(self, obj):
        return obj.rt.kelurahan.name

    @admin.display(description=_("KK"))
    def kk(self, obj):
        if obj.household_id is None:
            return "—"
        return format_html(
            '<a class="font-mono" href="{}">{}</a>',
            reverse("admin:population_household_change", args=[obj.household_id]),
            mask_no_kk(obj.household.no_kk),
        )
