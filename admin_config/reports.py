"""Admin for Lapor RT reports: the approval queue, report detail with photos and history,
decisions one by one or in bulk, issue follow-up, stays, and the compliance page.

Doors only: which rows a user sees comes from ``backend.reports.selectors``;
every change goes through ``backend.reports.services`` (the same functions
the phone app's GraphQL door calls), so scope, the workflow and the audit
trail hold here exactly as there. No row is added, edited or deleted through
Django's generic forms.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from admin_config.audit import AuditHistoryMixin
from admin_config.base import ReadOnlyScopedModelAdmin, scope_of
from admin_config.dashboard import DashboardPanel
from admin_config.imports import ScopedExportMixin
from admin_config.navigation import NavGroup, NavItem
from admin_config.widgets import DayFirstDateInput
from admin_config.wilayah import spans_kelurahan
from backend.accounts.roles import Cap
from backend.audit.context import Door, audit_context
from backend.audit.display import format_time_wita
from backend.common.errors import DomainError
from backend.common.masking import mask_number
from backend.population.age import today_wita
from backend.reports import compliance, conf, selectors, services, workflow
from backend.reports.choices import FollowUp, Kind, State
from backend.reports.models import NonPermanentStay, Report, ReportQueue, RTCompliance
from backend.wilayah.models import Kelurahan
from backend.wilayah.selectors import rt_list

STATE_COLOURS = {
    State.DRAFT: "info",
    State.SUBMITTED: "warning",
    State.REVISION_REQUESTED: "warning",
    State.APPROVED: "success",
    State.REJECTED: "danger",
}
DECISION_LABELS = {
    "approve": _("Approve"),
    "reject": _("Reject"),
    "request_revision": _("Request revision"),
}
DECISION_DONE = {
    "approve": _("approved"),
    "reject": _("rejected"),
    "request_revision": _("sent back for revision"),
}


#: A search for an RT: "5", "005", "RT 5", "rt005", "RT. 5".
_RT_TERM = re.compile(r"(?:rt\.?\s*)?0*(\d{1,3})", re.IGNORECASE)


def _message(exc: DomainError) -> str:
    return "; ".join(p.render() for p in exc.problems)


# -- filters -------------------------------------------------------------------


def _report_rts(request: HttpRequest, cap: str):
    """RTs over which the user holds ``cap`` (the wilayah selector)."""
    return rt_list(actor=request.user, cap=cap)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ScopedRTFilter(DropdownFilter):
    """The RTs of the user's scope (``?rt=<id>``); with a kelurahan chosen, its RTs only.

    A city administrator's scope has more than a thousand RTs: they are listed
    once a kelurahan is chosen.
    """

    title = _("RT")
    parameter_name = "rt"
    #: The capability whose RTs are offered (the admin's ``view_cap``).
    max_without_kelurahan = 120

    def lookups(self, request, model_admin):
        cap = getattr(model_admin, "view_cap", Cap.REPORT_VIEW)
        rts = _report_rts(request, cap).select_related("kelurahan")
        kelurahan = _int(request.GET.get("kelurahan"))
        if kelurahan is not None:
            rts = rts.filter(kelurahan_id=kelurahan)
        rows = list(rts.order_by("kelurahan__name", "number")[: self.max_without_kelurahan + 1])
        if len(rows) > self.max_without_kelurahan:
            return []
        many = len({rt.kelurahan_id for rt in rows}) > 1
        return [
            (str(rt.pk), f"{rt.label} · {rt.kelurahan.name}" if many else rt.label) for rt in rows
        ]

    def queryset(self, request, queryset):
        value = _int(self.value())
        return queryset.filter(rt_id=value) if value is not None else queryset

    def has_output(self) -> bool:
        # A value set in the URL (a link from the compliance page) still filters.
        return super().has_output() or bool(self.value())


class ScopedKelurahanFilter(DropdownFilter):
    title = _("kelurahan")
    parameter_name = "kelurahan"

    def lookups(self, request, model_admin):
        cap = getattr(model_admin, "view_cap", Cap.REPORT_VIEW)
        return [
            (str(k.pk), k.name)
            for k in Kelurahan.objects.filter(
                pk__in=_report_rts(request, cap).values("kelurahan_id")
            ).order_by("name")
        ]

    def queryset(self, request, queryset):
        value = _int(self.value())
        return queryset.filter(rt__kelurahan_id=value) if value is not None else queryset


class FollowUpFilter(DropdownFilter):
    """Issue reports by follow-up (``?follow_up=open``: new or in progress)."""

    title = _("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [("open", _("new or in progress")), *FollowUp.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "open":
            return queryset.filter(issuedetail__follow_up__in=OPEN_FOLLOW_UP)
        if value in FollowUp.values:
            return queryset.filter(issuedetail__follow_up=value)
        return queryset


OPEN_FOLLOW_UP = (FollowUp.NEW, FollowUp.IN_PROGRESS)


class RegionColumnsMixin:
    """An "RT" column (kept on one line) and, for users whose scope spans several
    kelurahan, a "kelurahan" column after it (as the population lists do)."""

    def get_list_display(self, request: HttpRequest):
        columns = list(super().get_list_display(request))
        if spans_kelurahan(request) and "rt_label" in columns:
            columns.insert(columns.index("rt_label") + 1, "kelurahan_name")
        return columns

    @display(description=_("RT"), ordering="rt__number")
    def rt_label(self, obj) -> str:
        return obj.rt.label.replace(" ", "\u00a0")

    @display(description=_("kelurahan"), ordering="rt__kelurahan__name")
    def kelurahan_name(self, obj) -> str:
        return obj.rt.kelurahan.name


# -- forms ---------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the Ketua RT)"),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        max_length=1000,
    )


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Follow-up"), choices=FollowUp.choices, widget=UnfoldAdminSelectWidget
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        max_length=2000,
    )


# -- reports -------------------------------------------------------------------


class BaseReportAdmin(RegionColumnsMixin, ReadOnlyScopedModelAdmin):
    """Reports are read here; decisions are custom views and actions calling the services.

    Rows come from ``selectors.report_list`` (``view_cap``); nothing is added,
    edited or deleted through Django's generic forms.
    """

    view_cap = Cap.REPORT_VIEW
    change_cap = Cap.REPORT_DECIDE
    # Never URL lookups or orderings: the details hold NIKs, passport numbers and
    # birth dates, and the content fingerprint is a hash of them (a guessing oracle).
    sensitive_fields = (
        "staystartdetail",
        "deathdetail",
        "stayenddetail",
        "opened_stay",
        "closed_stay",
        "content_hash",
    )
    list_display = (
        "number",
        "kind_label",
        "rt_label",
        "report_date",
        "state_label",
        "submitted_at",
        "reporter_name",
    )
    list_display_links = ("number", "kind_label")
    list_filter = (
        ("kind", ChoicesDropdownFilter),
        ScopedKelurahanFilter,
        ScopedRTFilter,
    )
    search_fields = ("=id", "deathdetail__resident__name", "activitydetail__title")
    search_help_text = _(
        "Report number, RT number (e.g. RT 5), reporter's name, kind, the deceased's "
        "name or an activity's title."
    )
    date_hierarchy = None
    actions = ("approve_selected", "reject_selected", "request_revision_selected")
    actions_detail = ("approve_detail", "reject_detail", "revision_detail", "follow_up_detail")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("kind", "state"),
                    ("rt", "report_date"),
                    ("reporter_name", "submitted_at"),
                    ("decided_by_name", "decided_at"),
                    "decision_reason",
                    "note",
                )
            },
        ),
    )
    readonly_fields = ("reporter_name", "decided_by_name")
    change_form_after_template = "admin/reports/report_detail.html"

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None):
        return selectors.report_list(actor=request.user, cap=cap or self.view_cap).select_related(
            "rt__kelurahan__kecamatan", "reporter", "decided_by"
        )

    def _opening_decision_page(self, request: HttpRequest) -> bool:
        """The request is for a decision page itself (not a page deciding which buttons
        to show): the page then explains a report that no longer waits, rather than 403."""
        match = getattr(request, "resolver_match", None)
        name = getattr(match, "url_name", "") or ""
        return name.endswith(("_approve_detail", "_reject_detail", "_revision_detail"))

    def _may_decide_in_region(self, request: HttpRequest, object_id) -> bool:
        report = self._report(request, object_id)
        return report is not None and scope_of(request).can(Cap.REPORT_DECIDE, report.rt)

    def has_decide_permission(self, request: HttpRequest, object_id=None) -> bool:
        """May decide here; on a report page, only while this report waits for it."""
        if not scope_of(request).has(Cap.REPORT_DECIDE):
            return False
        if object_id is None:
            return True
        if self._opening_decision_page(request):
            return self._may_decide_in_region(request, object_id)
        report = self._report(request, object_id)
        return report is not None and bool(
            {t.name for t in workflow.available(report, request.user)} & {"approve", "reject"}
        )

    def has_revision_permission(self, request: HttpRequest, object_id=None) -> bool:
        if object_id is None:
            return scope_of(request).has(Cap.REPORT_DECIDE)
        if self._opening_decision_page(request):
            return self._may_decide_in_region(request, object_id)
        report = self._report(request, object_id)
        return report is not None and any(
            t.name == "request_revision" for t in workflow.available(report, request.user)
        )

    def has_approve_permission(self, request: HttpRequest, object_id=None) -> bool:
        if object_id is None:
            return scope_of(request).has(Cap.REPORT_DECIDE)
        if self._opening_decision_page(request):
            return self._may_decide_in_region(request, object_id)
        report = self._report(request, object_id)
        return report is not None and any(
            t.name == "approve" for t in workflow.available(report, request.user)
        )

    def has_follow_up_permission(self, request: HttpRequest, object_id=None) -> bool:
        if object_id is None:
            return False
        report = self._report(request, object_id)
        return (
            report is not None
            and report.kind == Kind.ISSUE
            and report.state == State.APPROVED
            and scope_of(request).can(Cap.REPORT_DECIDE, report.rt)
        )

    def _report(self, request: HttpRequest, object_id) -> Report | None:
        cache = request.__dict__.setdefault("_lapor_reports", {})
        if object_id not in cache:
            try:
                cache[object_id] = selectors.report_get(actor=request.user, pk=object_id)
            except DomainError:
                cache[object_id] = None
        return cache[object_id]

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """Also by RT number ("5", "RT 5", "rt005"), the reporter's name or username,
        and the kind (its label in the user's language, e.g. "kematian", or its code)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = " ".join(search_term.split())
        if not term:
            return found, duplicates
        extra = Q(pk__in=[])
        rt = _RT_TERM.fullmatch(term)
        if rt:
            extra |= Q(rt__number=int(rt.group(1)))
        words = term.split()
        extra |= Q(
            *[
                Q(reporter__first_name__icontains=w)
                | Q(reporter__last_name__icontains=w)
                | Q(reporter__username__icontains=w)
                for w in words
            ]
        )
        lowered = term.lower()
        kinds = [
            value
            for value, label in Kind.choices
            if lowered in str(label).lower() or lowered == value
        ]
        if kinds:
            extra |= Q(kind__in=kinds)
        return found | queryset.filter(extra), duplicates

    # -- columns ---------------------------------------------------------------

    @display(description=_("report"), ordering="id")
    def number(self, obj: Report) -> str:
        return f"#{obj.pk}"

    @display(description=_("kind"), ordering="kind")
    def kind_label(self, obj: Report) -> str:
        return obj.get_kind_display()

    @display(description=_("state"), ordering="state", label=STATE_COLOURS)
    def state_label(self, obj: Report):
        return obj.state, obj.get_state_display()

    @display(description=_("reported by"))
    def reporter_name(self, obj: Report) -> str:
        return selectors.person_name(obj.reporter)

    @display(description=_("decided by"))
    def decided_by_name(self, obj: Report) -> str:
        return selectors.person_name(obj.decided_by) or "-"

    # -- detail page -----------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self._report(request, object_id)
        extra_context = extra_context or {}
        if report is not None:
            extra_context.update(self._detail_context(request, report))
        return super().change_view(request, object_id, form_url, extra_context)

    def _detail_context(self, request, report: Report) -> dict:
        detail = report.detail()
        rows = []
        if detail is not None:
            # A stay person's birth date and passport number are shown as NIKs are.
            identity = selectors.identity_visible(request.user, rt_id=report.rt_id, report=report)
            for f in detail._meta.concrete_fields:
                if f.name == "report" or f.name.startswith("follow_up_by"):
                    continue
                if f.name == "birth_date" and not identity:
                    rows.append((_("year of birth"), year_and_age(detail)))
                elif f.name == "passport_number" and not identity:
                    rows.append((f.verbose_name, mask_number(detail.passport_number) or "-"))
                else:
                    rows.append((f.verbose_name, _detail_value(detail, f)))
        return {
            "report_details": rows,
            "report_photos": list(report.photos.all()),
            "report_history": list(selectors.report_history(report)),
            "report_stay": getattr(report, "opened_stay", None)
            if report.kind == Kind.STAY_START
            else None,
        }

    # -- one report ------------------------------------------------------------

    def _decide_view(self, request, object_id, decision: str):
        report = self._report(request, object_id)
        if report is None:
            messages.error(request, _("Report not found."))
            return HttpResponseRedirect(reverse("admin:reports_reportqueue_changelist"))
        if decision not in {t.name for t in workflow.available(report, request.user)}:
            # Decided meanwhile (another tab, a colleague) or never waiting for this user.
            messages.warning(
                request,
                _("%(report)s is not waiting for this decision any more (now: %(state)s).")
                % {"report": report, "state": report.get_state_display()},
            )
            return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]))
        needs_reason = workflow.TRANSITIONS[decision].needs_reason
        form = ReasonForm(request.POST or None) if needs_reason else None
        if request.method == "POST" and (form is None or form.is_valid()):
            service = services.DECISION_SERVICES[decision]
            kwargs = {"reason": form.cleaned_data["reason"]} if form else {}
            try:
                service(actor=request.user, report=report, **kwargs)
            except DomainError as exc:
                messages.error(request, _message(exc))
                return HttpResponseRedirect(
                    reverse("admin:reports_report_change", args=[report.pk])
                )
            messages.success(
                request,
                _("%(report)s %(done)s.") % {"report": report, "done": DECISION_DONE[decision]},
            )
            return HttpResponseRedirect(_next_in_queue(request))
        if decision == "approve":
            report.approval_effects = approval_effects(report)
        return render(
            request,
            "admin/reports/decide.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{DECISION_LABELS[decision]}: {report}",
                "reports": [report],
                "decision": decision,
                "decision_label": DECISION_LABELS[decision],
                "form": form,
                "danger": decision == "reject",
            },
        )

    @action(description=_("Approve"), url_path="approve", permissions=["approve"], icon="check")
    def approve_detail(self, request, object_id):
        return self._decide_view(request, object_id, "approve")

    @action(description=_("Reject"), url_path="reject", permissions=["decide"], icon="block")
    def reject_detail(self, request, object_id):
        return self._decide_view(request, object_id, "reject")

    @action(
        description=_("Request revision"),
        url_path="request-revision",
        permissions=["revision"],
        icon="undo",
    )
    def revision_detail(self, request, object_id):
        return self._decide_view(request, object_id, "request_revision")

    @action(
        description=_("Follow-up"),
        url_path="follow-up",
        permissions=["follow_up"],
        icon="assignment",
    )
    def follow_up_detail(self, request, object_id):
        report = self._report(request, object_id)
        detail = report.issuedetail
        form = FollowUpForm(
            request.POST or None,
            initial={"status": detail.follow_up, "note": detail.follow_up_note},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.issue_follow_up_set(
                    actor=request.user,
                    report=report,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                messages.error(request, _message(exc))
            else:
                messages.success(request, _("Follow-up saved."))
            return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]))
        return render(
            request,
            "admin/reports/decide.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{_('Follow-up')}: {report}",
                "reports": [report],
                "decision": "follow_up",
                "decision_label": _("Save"),
                "form": form,
            },
        )

    # -- many reports ----------------------------------------------------------

    def _decide_many(self, request, queryset, decision: str):
        needs_reason = workflow.TRANSITIONS[decision].needs_reason
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if needs_reason and not form.is_valid():
            reports = list(queryset.order_by("submitted_at", "id"))
            return render(
                request,
                "admin/reports/decide.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": DECISION_LABELS[decision],
                    "reports": reports,
                    "decision": decision,
                    "decision_label": DECISION_LABELS[decision],
                    "form": form,
                    "bulk_action": request.POST.get("action"),
                    "danger": decision == "reject",
                },
            )
        reason = form.cleaned_data["reason"] if needs_reason else ""
        ids = list(queryset.order_by("submitted_at", "id").values_list("pk", flat=True))
        with audit_context(door=Door.ADMIN_ACTION):
            result = services.report_decide_many(
                actor=request.user, reports=ids, decision=decision, reason=reason
            )
        if result.done:
            messages.success(
                request,
                ngettext(
                    "%(count)d report %(done)s.",
                    "%(count)d reports %(done)s.",
                    len(result.done),
                )
                % {"count": len(result.done), "done": DECISION_DONE[decision]},
            )
        for pk, exc in result.failed:
            messages.error(
                request,
                _("Report #%(id)s was not changed: %(why)s") % {"id": pk, "why": _message(exc)},
            )
        return None

    @admin.action(description=_("Approve the selected reports"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self._decide_many(request, queryset, "approve")

    @admin.action(description=_("Reject the selected reports…"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return self._decide_many(request, queryset, "reject")

    @admin.action(
        description=_("Send the selected reports back for revision…"), permissions=["decide"]
    )
    def request_revision_selected(self, request, queryset):
        return self._decide_many(request, queryset, "request_revision")


def _detail_value(detail, f):
    value = getattr(detail, f.attname)
    if value in (None, "", []):
        return "-"
    if f.choices:
        return getattr(detail, f"get_{f.name}_display")()
    if f.name == "institutions":
        from backend.reports.choices import Institution

        labels = dict(Institution.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if f.name in ("nik", "informant_nik"):
        from backend.common.masking import mask_nik

        return mask_nik(value)
    if f.is_relation:
        return str(getattr(detail, f.name))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.time):
        return format_time_wita(value)
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, int) and f.name.endswith("_value"):
        return f"Rp {value:,}".replace(",", ".")
    return value


def approval_effects(report: Report) -> list[dict]:
    """What approving ``report`` changes beyond the report, as sentences with links,
    for the confirmation page (a death: the resident, their spouse, their KK)."""
    from backend.reports import kinds

    effects = kinds.death_effects(report)
    if effects is None:
        return []
    resident = effects.resident
    lines = [
        {
            "text": _("%(name)s will be recorded as deceased from %(date)s.")
            % {"name": resident.name, "date": date_format(effects.death_date, "j F Y")},
            "url": reverse("admin:population_resident_change", args=[resident.pk]),
            "link": _("Open the resident"),
        }
    ]
    for spouse in effects.widowed:
        lines.append(
            {
                "text": _("%(name)s, the surviving spouse, will be recorded as widowed.")
                % {"name": spouse.name},
                "url": reverse("admin:population_resident_change", args=[spouse.pk]),
                "link": _("Open the resident"),
            }
        )
    household = effects.household
    if household is not None:
        text = (
            _(
                "The KK %(kk)s will be flagged as needing a new card: the head has died, "
                "name a new head."
            )
            if effects.is_head
            else _("The KK %(kk)s will be flagged as needing a new card without them.")
        )
        lines.append(
            {
                "text": text % {"kk": str(household).removeprefix("KK ")},
                "url": reverse("admin:population_household_change", args=[household.pk]),
                "link": _("Open the KK"),
            }
        )
    return lines


def year_and_age(person) -> str:
    """A stay person's birth as roles without NIK rights see it: "1999 (umur 26 tahun)"."""
    return _("%(year)s (%(age)d years old)") % {
        "year": person.birth_date.year,
        "age": person.age_on(today_wita()),
    }


def _next_in_queue(request) -> str:
    return reverse("admin:reports_reportqueue_changelist")


@admin.register(Report)
class ReportAdmin(ScopedExportMixin, AuditHistoryMixin, BaseReportAdmin):
    """Every report of the scope, with its "Riwayat" (audit history) page.

    "Restore this version" is offered only where the workflow lets the user
    change the report's content (its own Ketua RT, while a draft or sent
    back); the restore service and the reports' restore rule check it again.
    """

    def has_restore_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return False
        return workflow.report_can_be_restored(obj) and workflow.may_submit(obj, request.user)

    list_filter = (
        ("state", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        FollowUpFilter,
        ScopedKelurahanFilter,
        ScopedRTFilter,
    )


@admin.register(ReportQueue)
class ReportQueueAdmin(ScopedExportMixin, BaseReportAdmin):
    """Waiting for a decision, oldest first (the order reports were sent)."""

    view_cap = Cap.REPORT_DECIDE
    ordering = ("submitted_at", "id")

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None):
        return selectors.report_queue(actor=request.user).select_related(
            "rt__kelurahan__kecamatan", "reporter", "decided_by"
        )

    def get_ordering(self, request):
        return ("submitted_at", "id")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The detail lives on the report page (which also shows decided reports).
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[object_id]))


# -- stays ---------------------------------------------------------------------


class StayStatusFilter(DropdownFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("open", _("open")),
            ("attention", _("near or past one year")),
            ("overdue", _("past the expected end")),
            ("ended", _("ended")),
        ]

    def queryset(self, request, queryset):
        near, _over = selectors.stay_limit_dates()
        value = self.value()
        if value == "open":
            return queryset.filter(end_date__isnull=True)
        if value == "attention":
            return queryset.filter(end_date__isnull=True, start_date__lte=near)
        if value == "overdue":
            return queryset.filter(end_date__isnull=True, expected_end_date__lt=today_wita())
        if value == "ended":
            return queryset.filter(end_date__isnull=False)
        return queryset


@admin.register(NonPermanentStay)
class NonPermanentStayAdmin(AuditHistoryMixin, RegionColumnsMixin, ReadOnlyScopedModelAdmin):
    """The Buku Penduduk Sementara: stays open and close through approved reports only.

    Rows from ``selectors.stay_list``; a NIK, passport number or birth date is
    never a URL lookup or an ordering (``sensitive_fields``). A NIK is searched
    only as a whole number, and only where the user may see NIKs: elsewhere
    the masked NIK and the birth year would let a search confirm guessed
    birth dates. The birth date and passport number are shown as NIKs are
    (``selectors.identity_visible``): the year and age, and a masked number,
    to roles without NIK rights in the RT.
    """

    view_cap = Cap.POPULATION_VIEW
    sensitive_fields = ("nik", "passport_number", "birth_date", "phone")
    list_display = (
        "name",
        "masked_nik_col",
        "rt_label",
        "purpose",
        "start_date",
        "expected_end_date",
        "end_date",
        "limit_label",
    )
    list_filter = (StayStatusFilter, ScopedKelurahanFilter, ScopedRTFilter)
    search_fields = ("name",)  # searching is get_search_results' job
    readonly_fields = ("birth_shown", "masked_nik_col")
    fields = (
        ("name", "sex", "birth_shown"),
        "masked_nik_col",
        ("citizenship", "occupation", "phone"),
        "origin_address",
        ("purpose", "purpose_note"),
        ("housing", "host_address", "host_name"),
        ("rt", "start_date", "expected_end_date"),
        ("end_date", "end_reason"),
        ("opened_by", "closed_by"),
    )

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None):
        return selectors.stay_list(actor=request.user, cap=cap or self.view_cap).select_related(
            "rt__kelurahan__kecamatan"
        )

    def with_list_annotations(self, request: HttpRequest, queryset):
        return selectors.with_identity_visible(
            selectors.with_stay_flags(queryset), actor=request.user
        )

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        digits = re.sub(r"[\s.\-]", "", term)
        if digits.isdigit():
            if len(digits) != 16:
                return queryset.none(), False
            nik_rts = scope_of(request).rt_q(Cap.POPULATION_VIEW_NIK, "rt")
            return queryset.filter(nik_rts, nik=digits), False
        words = [Q(name__icontains=w) for w in term.split()]
        return queryset.filter(*words), False

    @display(description=_("NIK or passport"))
    def masked_nik_col(self, obj):
        if obj.nik:
            return obj.masked_nik
        if obj.passport_number:
            visible = getattr(obj, "identity_visible", False)
            return obj.passport_number if visible else mask_number(obj.passport_number)
        return "-"

    @display(description=_("date of birth"))
    def birth_shown(self, obj):
        if getattr(obj, "identity_visible", False):
            return date_format(obj.birth_date, "DATE_FORMAT")
        return year_and_age(obj)

    @display(
        description=_("one year"),
        label={"over": "danger", "near": "warning", "ok": "success", "ended": "info"},
    )
    def limit_label(self, obj):
        if obj.end_date is not None:
            return "ended", _("ended")
        if obj.over_limit:
            return "over", _("over one year: formal move needed")
        if obj.near_limit:
            return "near", _("near one year")
        return "ok", _("within one year")


# -- compliance ----------------------------------------------------------------

PERIODS = (7, 30, 90, 365)


class ComplianceFilterForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        initial=30,
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    end = forms.DateField(label=_("Up to"), required=False, widget=DayFirstDateInput)
    kelurahan = forms.TypedChoiceField(
        label=_("Kelurahan"), coerce=int, required=False, widget=UnfoldAdminSelectWidget
    )

    def __init__(self, *args, kelurahan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [(d, _("last %(days)d days") % {"days": d}) for d in PERIODS]
        self.fields["kelurahan"].choices = [("", _("All in my region")), *kelurahan_choices]

    def clean(self):
        data = super().clean()
        end = data.get("end")
        if end is not None:
            # The same bounds as the GraphQL compliance query.
            try:
                compliance.clean_period(
                    None, end, default_days=data.get("days") or 30, max_days=max(PERIODS)
                )
            except DomainError as exc:
                self.add_error("end", _message(exc))
        return data


@admin.register(RTCompliance)
class RTComplianceAdmin(ReadOnlyScopedModelAdmin):
    """One page a Lurah reads at a glance: who reported, who did not, and the last 30 days."""

    view_cap = Cap.REPORT_VIEW

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None):
        return compliance.scoped_rts(actor=request.user)

    def rt_of(self, obj):
        return obj

    def get_urls(self):
        from django.urls import path

        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        actor = request.user
        kelurahan_rows = list(
            Kelurahan.objects.filter(pk__in=self.scoped_queryset(request).values("kelurahan_id"))
            .order_by("name")
            .values_list("pk", "name")
        )
        form = ComplianceFilterForm(request.GET or None, kelurahan_choices=kelurahan_rows)
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        today = today_wita()
        end = data.get("end") or today
        days = data.get("days") or 30
        kelurahan_id = data.get("kelurahan") or None
        if len(kelurahan_rows) == 1:
            kelurahan_id = kelurahan_rows[0][0]
        heat_level = "rt" if kelurahan_id else "kelurahan"
        result = compliance.compute(
            actor=actor,
            start=end - timedelta(days=days - 1),
            end=end,
            kelurahan_id=kelurahan_id,
            heatmap=heat_level,
            today=today,
        )
        not_reported = result.not_reported[:200]
        rt_rows = (
            sorted(result.rts, key=lambda r: (r.rate if r.rate is not None else -1, r.number))[:200]
            if kelurahan_id
            else []
        )
        # Who to call: each shown RT's Ketua RT, from the active role assignments.
        ketua = selectors.ketua_rt_names({rt.rt_id for rt in (*not_reported, *rt_rows)})
        for rt in (*not_reported, *rt_rows):
            rt.ketua = ketua.get(rt.rt_id, "")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("RT reporting compliance"),
            "form": form,
            "result": result,
            "days": days,
            "kelurahan_id": kelurahan_id,
            "kelurahan_name": dict(kelurahan_rows).get(kelurahan_id, ""),
            "multi_kelurahan": len(kelurahan_rows) > 1,
            "heat_level": heat_level,
            "cadence_label": _("weekly") if result.cadence == 7 else _("daily"),
            "not_reported": not_reported,
            "not_reported_count": len(result.not_reported),
            "rt_rows": rt_rows,
            "queue_url": reverse("admin:reports_reportqueue_changelist"),
            "waiting": selectors.waiting_counts(actor=actor, kelurahan_id=kelurahan_id),
            "revision_url": reverse("admin:reports_report_changelist")
            + f"?state__exact={State.REVISION_REQUESTED}"
            + (f"&kelurahan={kelurahan_id}" if kelurahan_id else ""),
            "today": today,
            "is_today": end >= today,
            "silent_days": max(7, result.cadence * 2),
            "cadence_setting": conf.get("COMPLIANCE_CADENCE"),
        }
        return render(request, "admin/reports/compliance.html", context)


# -- dashboard -------------------------------------------------------------------


#: RTs shown by name on the dashboard (the longest silences); the rest on the compliance page.
DASHBOARD_SILENT_RTS = 5


def dashboard_context(request) -> dict:
    """Figures for the reports panel of the dashboard, for the user's own scope.

    From one compliance computation over the last 30 days (three SQL queries,
    whatever the number of RTs): RTs that reported in the current period
    (today, or this week with a weekly cadence), RTs without a report for a
    week or more, the 30-day compliance rate and the RTs silent the longest;
    and one count of the reports waiting for a decision (the queue).
    """
    actor = request.user
    scope = scope_of(request)
    if not actor.is_active or not scope.has(Cap.REPORT_VIEW):
        return {}
    today = today_wita()
    result = compliance.compute(actor=actor, start=today - timedelta(days=29), end=today)
    total = result.total
    weekly = result.cadence == 7
    silent_days = max(7, result.cadence * 2)
    may_decide = scope.has(Cap.REPORT_DECIDE)
    # "Waiting for a decision" has one definition (``selectors.report_waiting``),
    # the queue's; reports sent back to their RT are shown apart.
    waiting_counts = selectors.waiting_counts(actor=actor)
    reports_url = reverse("admin:reports_report_changelist")
    longest = result.not_reported[:DASHBOARD_SILENT_RTS]
    ketua = selectors.ketua_rt_names({rt.rt_id for rt in longest}) if longest else {}
    silent = [
        {
            "label": f"{rt.label} · {rt.kelurahan_name}",
            "days": rt.days_since_last,
            "ketua": ketua.get(rt.rt_id, ""),
            "url": f"{reports_url}?rt={rt.rt_id}",
        }
        for rt in longest
    ]
    return {
        "reports_total": total,
        "reports_waiting": waiting_counts["waiting"],
        "reports_revision": waiting_counts["revision"],
        "reports_revision_url": f"{reports_url}?state__exact={State.REVISION_REQUESTED}",
        "reports_weekly": weekly,
        "reports_silent_days": silent_days,
        "reports_not_reported": total.rts_not_reported_current,
        "reports_silent": silent,
        "reports_compliance_url": reverse("admin:reports_rtcompliance_changelist"),
        "reports_queue_url": reverse("admin:reports_reportqueue_changelist")
        if may_decide
        else f"{reports_url}?state__exact={State.SUBMITTED}",
        "reports_may_decide": may_decide,
        "reports_url": reports_url,
    }


class ReportsPanel(DashboardPanel):
    """Lapor RT at a glance: the queue, who reported and who did not, the rate."""

    key = "reports"
    order = 5
    template_name = "admin/reports/dashboard_card.html"

    def is_visible(self, request: HttpRequest) -> bool:
        return scope_of(request).has(Cap.REPORT_VIEW)

    def get_context(self, request: HttpRequest) -> dict:
        return dashboard_context(request)


admin.site.register_dashboard_panel(ReportsPanel())


# -- news (Kabar terbaru) ---------------------------------------------------------

#: How far back the news panel looks.
NEWS_DAYS = 7


def news_figures(actor, *, today=None) -> dict[str, int]:
    """What happened in the actor's scope in the last ``NEWS_DAYS`` days, counted in
    SQL: three queries whatever the size of the region (reports, residents, stays).

    - ``deaths``: death reports approved (the resident recorded deceased);
    - ``births``: residents born in the period; ``new_residents``: residents
      recorded in the period (by any door, imports too: counted, not shown, since
      one import makes it meaningless);
    - ``arrivals``: stays whose arrival date is in the period;
    - ``open_issues``: approved problem, need and potential reports whose
      follow-up is new or in progress (whenever reported);
    - ``stays_attention``: open stays near or past one year; ``stays_overdue``:
      open stays past their expected end.
    """
    from django.db.models import Count

    from backend.population import codes
    from backend.population.selectors import resident_list

    today = today or today_wita()
    since_day, since = _news_since(today)
    reports = selectors.report_list(actor=actor).aggregate(
        deaths=Count(
            "pk",
            filter=Q(kind=Kind.DEATH, state=State.APPROVED, decided_at__gte=since),
        ),
        open_issues=Count(
            "pk",
            filter=Q(
                kind=Kind.ISSUE,
                state=State.APPROVED,
                issuedetail__follow_up__in=OPEN_FOLLOW_UP,
            ),
        ),
    )
    residents = resident_list(actor=actor).aggregate(
        births=Count("pk", filter=Q(birth_date__gte=since_day)),
        new_residents=Count("pk", filter=Q(created_at__gte=since, status=codes.LifeStatus.ALIVE)),
    )
    near, _over = selectors.stay_limit_dates(today)
    stays = selectors.stay_list(actor=actor).aggregate(
        arrivals=Count("pk", filter=Q(start_date__gte=since_day)),
        stays_attention=Count("pk", filter=Q(end_date__isnull=True, start_date__lte=near)),
        stays_overdue=Count("pk", filter=Q(end_date__isnull=True, expected_end_date__lt=today)),
    )
    return {**reports, **residents, **stays}


def _news_since(today):
    """The first day of the news period, and its start as an aware datetime (WITA)."""
    from django.utils import timezone

    day = today - timedelta(days=NEWS_DAYS - 1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return day, start


def news_context(request) -> dict:
    """The news panel: each figure with its label and a link to the admin list it counts."""
    from urllib.parse import urlencode

    actor = request.user
    today = today_wita()
    figures = news_figures(actor, today=today)
    since_day, since = _news_since(today)
    since_iso = since.isoformat()

    def link(name: str, **params) -> str:
        return f"{reverse(f'admin:{name}_changelist')}?{urlencode(params)}"

    items = [
        (
            "deaths",
            _("Deaths recorded (death reports approved)"),
            link(
                "reports_report",
                kind__exact=Kind.DEATH,
                state__exact=State.APPROVED,
                decided_at__gte=since_iso,
            ),
        ),
        (
            "births",
            _("Births"),
            link("population_resident", born_within=NEWS_DAYS),
        ),
        (
            "arrivals",
            _("Arrivals (non-permanent residents who came in the period)"),
            link("reports_nonpermanentstay", start_date__gte=since_day.isoformat()),
        ),
        (
            "open_issues",
            _("Problems, needs and potentials not yet resolved (new or in progress)"),
            link(
                "reports_report",
                kind__exact=Kind.ISSUE,
                state__exact=State.APPROVED,
                follow_up="open",
            ),
        ),
        (
            "stays_attention",
            _("Stays near or past one year"),
            link("reports_nonpermanentstay", status="attention"),
        ),
        (
            "stays_overdue",
            _("Stays past their expected end"),
            link("reports_nonpermanentstay", status="overdue"),
        ),
    ]
    if not actor.scope.has(Cap.POPULATION_VIEW_NIK):
        # Who may not see birth dates gets no list of this week's newborns either.
        items = [item for item in items if item[0] != "births"]
    return {
        "news_days": NEWS_DAYS,
        "news_since": since_day,
        "news": [
            {"key": key, "label": label, "count": figures[key], "url": url}
            for key, label, url in items
        ],
    }


class NewsPanel(DashboardPanel):
    """Kabar terbaru: what happened in the user's region in the last seven days."""

    key = "news"
    order = 7
    template_name = "admin/reports/news_card.html"

    def is_visible(self, request: HttpRequest) -> bool:
        scope = scope_of(request)
        return scope.has(Cap.REPORT_VIEW) and scope.has(Cap.POPULATION_VIEW)

    def get_context(self, request: HttpRequest) -> dict:
        return news_context(request)


admin.site.register_dashboard_panel(NewsPanel())


# -- sidebar ---------------------------------------------------------------------

admin.site.add_nav_group(
    NavGroup(
        "laporan",
        _("RT reports"),
        order=15,
        items=[
            NavItem(_("Approval queue"), "inbox", model="reports.reportqueue"),
            NavItem(_("Reporting compliance"), "insights", model="reports.rtcompliance"),
            NavItem(_("All reports"), "description", model="reports.report"),
            NavItem(_("Non-permanent residents"), "luggage", model="reports.nonpermanentstay"),
        ],
    )
)
