"""Audit trail in the admin: the global timeline, per-record history, restore, export.

- ``AuditEventAdmin``: a read-only timeline of the events the user may read
  (``backend.audit.selectors.audit_list``), filterable by kecamatan,
  kelurahan, RT, user, entity, action, door and date (WITA), with a detail
  page that shows the change field by field, and CSV/XLSX export. Nobody
  adds, changes or deletes events here, a superuser included.
- ``AuditHistoryMixin``: add it to any ModelAdmin (first in the bases) to
  replace Django's "History" page of each record by its audit history
  ("Riwayat"), with a "restore this version" button for the events whose
  version a registered restore service can bring back::

      class ResidentAdmin(AuditHistoryMixin, ModelAdmin): ...
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    DropdownFilter,
    RangeDateFilter,
    TextFilter,
)

from admin_config.base import ReadOnlyScopedModelAdmin, scope_of
from admin_config.navigation import NavGroup, NavItem
from backend.accounts.roles import Cap
from backend.audit import restore
from backend.audit.display import EventPresenter, format_wita, note_text
from backend.audit.exports import FORMATS, audit_export
from backend.audit.models import Action, AuditEvent
from backend.audit.selectors import audit_history, audit_list
from backend.audit.services import entity_type_of, record
from backend.common.errors import DomainError
from backend.wilayah.selectors import kecamatan_list, kelurahan_list, rt_list

HISTORY_PAGE_SIZE = 50
# Entities offered in the timeline's entity filter (others still show, unfiltered).
ENTITY_APPS = ("accounts", "population", "reports", "imports", "wilayah", "audit")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- filters --------------------------------------------------------------------


class _RegionFilter(DropdownFilter):
    level = ""
    column = ""

    def regions(self, request):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(str(r.pk), str(r)) for r in self.regions(request)]

    def queryset(self, request, queryset):
        pk = _int(self.value())
        return queryset.filter(**{self.column: pk}) if pk is not None else queryset


class KecamatanFilter(_RegionFilter):
    title = _("kecamatan")
    parameter_name = "kecamatan"
    column = "kecamatan_id"

    def regions(self, request):
        return kecamatan_list(actor=request.user, cap=Cap.AUDIT_VIEW).order_by("name")


class KelurahanFilter(_RegionFilter):
    title = _("kelurahan")
    parameter_name = "kelurahan"
    column = "kelurahan_id"

    def regions(self, request):
        qs = kelurahan_list(actor=request.user, cap=Cap.AUDIT_VIEW)
        kecamatan = _int(request.GET.get("kecamatan"))
        if kecamatan is not None:
            qs = qs.filter(kecamatan_id=kecamatan)
        return qs.order_by("name")


class RTFilter(_RegionFilter):
    title = _("RT")
    parameter_name = "rt"
    column = "rt_id"
    # A Camat's kecamatan has hundreds of RTs: list them once a kelurahan is chosen.
    max_without_kelurahan = 120

    def regions(self, request):
        qs = rt_list(actor=request.user, cap=Cap.AUDIT_VIEW).select_related("rw")
        kelurahan = _int(request.GET.get("kelurahan"))
        if kelurahan is not None:
            return qs.filter(kelurahan_id=kelurahan).order_by("number")
        if qs.count() > self.max_without_kelurahan:
            return qs.none()
        return qs.order_by("kelurahan_id", "number")


class ActorFilter(TextFilter):
    title = _("user")
    parameter_name = "user"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(actor_username__iexact=value) if value else queryset


class EntityFilter(DropdownFilter):
    title = _("entity")
    parameter_name = "entity"

    def lookups(self, request, model_admin):
        from django.apps import apps

        return sorted(
            (
                (entity_type_of(model), EventPresenter.entity_type_name(entity_type_of(model)))
                for model in apps.get_models()
                if model._meta.app_label in ENTITY_APPS
            ),
            key=lambda choice: choice[1],
        )

    def queryset(self, request, queryset):
        return queryset.filter(entity_type=self.value()) if self.value() else queryset


class WitaDateRangeFilter(RangeDateFilter):
    """From/to dates, compared with the event's date in WITA, day-first input accepted."""

    def queryset(self, request, queryset):
        filters = {}
        for suffix, lookup in (("_from", "gte"), ("_to", "lte")):
            day = _parse_day(self.used_parameters.get(f"{self.parameter_name}{suffix}"))
            if day is not None:
                filters[f"{self.parameter_name}__date__{lookup}"] = day
        return queryset.filter(**filters)


def _parse_day(value):
    import datetime as dt

    if not isinstance(value, str) or not value.strip():
        return None
    for fmt in (*get_format("DATE_INPUT_FORMATS"), "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


# -- the timeline -------------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedModelAdmin):
    """Read-only for everyone; rows from ``audit_list`` (``Cap.AUDIT_VIEW``).

    The stored values (snapshot, changes, notes) and the chain hashes are
    never URL lookups: ``?snapshot__nik__startswith=`` would let a user who
    sees NIKs masked count their way to the hidden digits.
    """

    view_cap = Cap.AUDIT_VIEW
    sensitive_fields = ("snapshot", "changes", "note", "prev_hash", "row_hash")
    list_display = (
        "time_wita",
        "user",
        "door",
        "action",
        "entity",
        "region",
        "note_text",
    )
    list_display_links = ("time_wita",)
    list_filter = (
        KecamatanFilter,
        KelurahanFilter,
        RTFilter,
        ActorFilter,
        EntityFilter,
        ("action", ChoicesDropdownFilter),
        ("door", ChoicesDropdownFilter),
        ("occurred_at", WitaDateRangeFilter),
    )
    list_filter_submit = True
    # A username (part of it, any case), or an exact entity, request or import job id.
    search_fields = ("actor_username", "=entity_id", "=request_id", "=job_id")
    search_help_text = _("Username, entity id, request id or import job id")
    list_per_page = 50
    show_full_result_count = False
    # By the time shown: events recorded with their own earlier time (historical
    # reports imported from the books) take their place in time, not at the top.
    ordering = ("-occurred_at", "-seq")
    actions = None
    change_list_template = "audit/event_change_list.html"

    def scoped_queryset(self, request, cap=None):
        return audit_list(actor=request.user).select_related("rt__rw", "kelurahan", "actor")

    def obj_allows(self, request, cap, obj) -> bool:
        # An event (some have no RT) is only ever reached through audit_list.
        return scope_of(request).has(cap)

    # -- columns --------------------------------------------------------------------

    @admin.display(description=_("time (WITA)"), ordering="occurred_at")
    def time_wita(self, event):
        return format_wita(event.occurred_at)

    @admin.display(description=_("user"), ordering="actor_username")
    def user(self, event):
        return event.actor_display or "—"

    @admin.display(description=_("note"))
    def note_text(self, event):
        return note_text(event.note) or "—"

    @admin.display(description=_("entity"))
    def entity(self, event):
        return EventPresenter(None).entity_label(event)

    @admin.display(description=_("region"))
    def region(self, event):
        parts = [str(event.rt) if event.rt_id and event.rt else ""]
        parts.append(str(event.kelurahan) if event.kelurahan_id and event.kelurahan else "")
        return ", ".join(p for p in parts if p) or "—"

    # -- views ---------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export/<str:file_format>/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "<int:event_id>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="{}_{}_reveal".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = self.get_queryset(request).filter(pk=_int(unquote(object_id))).first()
        if event is None:
            raise Http404
        presenter = EventPresenter(request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Audit event"),
            "subtitle": presenter.entity_label(event),
            "event": event,
            "time": format_wita(event.occurred_at),
            "entity_name": presenter.entity_name(event),
            "entity_label": presenter.entity_label(event),
            "changes": presenter.change_rows(event),
            "version": presenter.snapshot_rows(event),
            "reveal_url": reveal_url(self.admin_site, presenter, event),
            "history_url": history_url(self.admin_site, event),
            "note": note_text(event.note),
        }
        return TemplateResponse(request, "audit/event_detail.html", context)

    def reveal_view(self, request, event_id):
        """The event's NIK/KK numbers in full, on purpose: recorded, then shown.

        For viewers holding ``Cap.POPULATION_VIEW_NIK`` over the event's region
        (the same right as the "Show NIK" button of a resident); a POST, so no
        prefetch or crawler reveals anything. Answers an htmx fragment that
        replaces the masked values in place, or a small page without JavaScript.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = self.get_queryset(request).filter(pk=event_id).first()
        if event is None:
            raise Http404
        if not EventPresenter(request.user).may_reveal(event):
            raise PermissionDenied
        record_event_reveal(request, event)
        presenter = EventPresenter(request.user, reveal=True)
        context = {
            "event": event,
            "changes": presenter.change_rows(event),
            "version": presenter.snapshot_rows(event) if request.POST.get("version") else [],
            "revealed": True,
        }
        if request.headers.get("HX-Request"):
            return TemplateResponse(request, "audit/_event_values.html", context)
        return TemplateResponse(
            request,
            "audit/event_revealed.html",
            {
                **self.admin_site.each_context(request),
                **context,
                "version": presenter.snapshot_rows(event),
                "opts": self.opts,
                "title": _("Audit event"),
                "subtitle": presenter.entity_label(event),
                "time": format_wita(event.occurred_at),
                "back_url": _safe_next(request),
            },
        )

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        info = self.opts.app_label, self.opts.model_name
        links = [
            (
                fmt.upper(),
                reverse(f"{self.admin_site.name}:%s_%s_export" % info, args=[fmt])
                + (f"?{query}" if query else ""),
            )
            for fmt in FORMATS
        ]
        return super().changelist_view(request, {**(extra_context or {}), "export_links": links})

    def export_view(self, request, file_format):
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        try:
            exported = audit_export(
                actor=request.user,
                queryset=queryset,
                file_format=file_format,
                filters={k: v for k, v in request.GET.items()},
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(reverse(f"{self.admin_site.name}:%s_%s_changelist" % info))
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response


def _safe_next(request) -> str:
    """The page to go back to after a reveal without JavaScript: a local URL only."""
    url = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


@transaction.atomic
def record_event_reveal(request, event: AuditEvent) -> AuditEvent:
    """Record that the viewer saw the full NIK/KK numbers held by ``event``."""
    return record(
        actor=request.user,
        action=Action.NIK_REVEALED,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        entity_label=event.entity_label,
        changes={"event": event.pk},
        rt=event.rt_id,
        kelurahan=event.kelurahan_id,
        kecamatan=event.kecamatan_id,
        note=REVEAL_NOTE,
    )


REVEAL_NOTE = "audit trail"


def reveal_url(admin_site, presenter: EventPresenter, event: AuditEvent) -> str | None:
    """The audited "show NIK" of an event, when the viewer may reveal its numbers."""
    if not presenter.may_reveal(event):
        return None
    for name in dict.fromkeys((admin_site.name, admin.site.name)):
        try:
            return reverse(f"{name}:audit_auditevent_reveal", args=[event.pk])
        except NoReverseMatch:
            continue
    return None


def history_url(admin_site, event: AuditEvent) -> str | None:
    """The record's "Riwayat" page, when its ModelAdmin offers one."""
    model = EventPresenter.model_of(event)
    if model is None or not event.entity_id:
        return None
    model_admin = admin_site._registry.get(model)
    if not isinstance(model_admin, AuditHistoryMixin):
        return None
    try:
        return reverse(
            f"{admin_site.name}:{model._meta.app_label}_{model._meta.model_name}_history",
            args=[quote(event.entity_id)],
        )
    except NoReverseMatch:
        return None


# -- per-record history -------------------------------------------------------


class AuditHistoryMixin:
    """A per-record "Riwayat" page from the audit trail, with "restore this version".

    Replaces the ModelAdmin's ``history_view`` (the page behind the "History"
    button), so it needs no other change. The page lists the record's events
    the user may read (also after the record was deleted), field by field;
    events whose snapshot a registered restore service can bring back get a
    button, which asks for confirmation and then calls that service.
    """

    audit_history_template = "audit/record_history.html"
    audit_restore_template = "audit/restore_confirm.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/restore/<int:event_id>/",
                self.admin_site.admin_view(self.audit_restore_view),
                name="{}_{}_audit_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The "History" button (unfold's object tools) leads to the Riwayat page,
        # for those who may read the audit trail.
        extra_context = {
            **(extra_context or {}),
            "show_history": scope_of(request).has(Cap.AUDIT_VIEW),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_restore_permission(self, request, obj=None) -> bool:
        """Whether to offer the button; the restore service still checks scope and rules."""
        if obj is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, obj)

    def _audit_record(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not self.has_view_permission(request, obj):
            raise PermissionDenied
        if not request.user.scope.has(Cap.AUDIT_VIEW):
            raise PermissionDenied
        events = audit_history(
            actor=request.user,
            entity_type=entity_type_of(self.model),
            entity_id=unquote(object_id),
        )
        return obj, events

    def history_view(self, request, object_id, extra_context=None):
        obj, events = self._audit_record(request, object_id)
        page = Paginator(events.select_related("rt__rw", "actor"), HISTORY_PAGE_SIZE).get_page(
            request.GET.get("p")
        )
        if obj is None and not page.object_list:
            raise Http404
        presenter = EventPresenter(request.user)
        may_restore = self.has_restore_permission(request, obj)
        # The newest version of an existing record is the record as it is now.
        current_version = (
            events.exclude(snapshot__isnull=True).values_list("pk", flat=True).first()
            if obj is not None
            else None
        )
        info = self.opts.app_label, self.opts.model_name
        rows = [
            {
                "event": event,
                "time": format_wita(event.occurred_at),
                "note": note_text(event.note),
                "changes": presenter.change_rows(event),
                "reveal_url": reveal_url(self.admin_site, presenter, event),
                "restore_url": reverse(
                    f"{self.admin_site.name}:%s_%s_audit_restore" % info,
                    args=[quote(object_id), event.pk],
                )
                if may_restore and restore.is_restorable(event) and event.pk != current_version
                else None,
            }
            for event in page.object_list
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("History"),
            "subtitle": str(obj) if obj is not None else presenter.entity_label(page[0]),
            "object": obj,
            "object_id": object_id,
            "deleted": obj is None,
            "rows": rows,
            "page": page,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.audit_history_template, context)

    def audit_restore_view(self, request, object_id, event_id):
        obj, events = self._audit_record(request, object_id)
        event = events.filter(pk=event_id).first()
        if event is None or not restore.is_restorable(event):
            raise Http404
        if not self.has_restore_permission(request, obj):
            raise PermissionDenied
        info = self.opts.app_label, self.opts.model_name
        history = reverse(f"{self.admin_site.name}:%s_%s_history" % info, args=[quote(object_id)])
        if request.method == "POST":
            try:
                restored = restore.restore(actor=request.user, event=event)
            except DomainError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(history)
            messages.success(request, _("The earlier version was restored."))
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:%s_%s_change" % info, args=[quote(restored.pk)])
            )
        presenter = EventPresenter(request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Restore this version?"),
            "subtitle": presenter.entity_label(event),
            "object": obj,
            "event": event,
            "time": format_wita(event.occurred_at),
            "version": presenter.snapshot_rows(event),
            "will_change": presenter.restore_rows(event, obj),
            "history_url": history,
        }
        return TemplateResponse(request, self.audit_restore_template, context)


# -- sidebar ------------------------------------------------------------------

admin.site.add_nav_group(
    NavGroup(
        "audit",
        _("Audit"),
        order=80,
        items=[NavItem(_("Audit trail"), "history", model="audit.auditevent")],
    )
)
