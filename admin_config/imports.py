"""Admin pages of imports and exports: upload, preview, confirm, progress, result, export.

Only users holding ``Cap.POPULATION_IMPORT`` reach the import pages; a job is
found through ``backend.imports.selectors`` (another kelurahan's job is "not
found"). Every page is a thin door onto ``backend.imports.services``.

``ScopedExportMixin`` gives the resident, household and report admins an
"export selected" action with one line::

    class ResidentAdmin(ScopedExportMixin, ModelAdmin): ...
    class ReportAdmin(ScopedExportMixin, BaseReportAdmin): ...
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectWidget,
    UnfoldBooleanWidget,
)

from admin_config.navigation import NavGroup, NavItem
from admin_config.widgets import DayFirstDateInput
from backend.accounts.roles import Cap
from backend.common.errors import DomainError
from backend.common.masking import mask_number
from backend.imports import runner, services
from backend.imports.exports import population_export
from backend.imports.kinds.base import get_kind
from backend.imports.models import ImportJob, ImportProblem
from backend.imports.readers import FORMATS
from backend.imports.report_export import reports_export
from backend.imports.resources import PERSONAL_NUMBER_KEYS
from backend.imports.selectors import import_job_get, import_job_list, import_kelurahan_ids
from backend.reports.choices import Kind as ReportKind
from backend.reports.choices import State as ReportState
from backend.wilayah.models import RT, Kelurahan

TEMPLATES = "admin_config/imports"
PROBLEMS_PER_PAGE = 50


def _can_import(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and user.scope.has(Cap.POPULATION_IMPORT)


def _can_export(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and user.scope.has(Cap.POPULATION_EXPORT)


def _file_response(export) -> FileResponse:
    return FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
    )


# -- forms ------------------------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), widget=UnfoldAdminSelectWidget)
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.none(),
        # Django's own "- Select an option -" has no Indonesian translation.
        empty_label=_("- Choose -"),
        widget=UnfoldAdminSelectWidget,
        help_text=_("Rows without a kelurahan column belong to this kelurahan."),
    )
    file = forms.FileField(
        label=_("File"),
        widget=UnfoldAdminFileFieldWidget,
        help_text=_(
            "XLSX, XLS, ODS or CSV. Format the NIK and KK columns as Text before typing "
            "the numbers. OpenSID's population template is accepted as it is."
        ),
    )

    def __init__(self, *args, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = services.import_kind_choices(actor=actor)
        allowed = import_kelurahan_ids(actor=actor)
        self.fields["kelurahan"].queryset = Kelurahan.objects.filter(pk__in=allowed).order_by(
            "name"
        )
        if len(allowed) == 1:
            self.fields["kelurahan"].initial = allowed[0]
        self.fields["file"].widget.attrs["accept"] = ",".join(
            [f".{f}" for f in FORMATS] + [".xlsm", ".txt"]
        )


class ConfirmForm(forms.Form):
    valid_only = forms.BooleanField(
        label=_("Import only the valid rows and skip the rows with errors"),
        required=False,
        widget=UnfoldBooleanWidget,
    )


class ExportForm(forms.Form):
    FORMAT_CHOICES = [
        ("xlsx", _("Excel (XLSX)")),
        ("csv;", _("CSV, separated by ; (Excel in Indonesian)")),
        ("csv,", _("CSV, separated by ,")),
    ]
    # Fields that only filter reports (the page shows them for reports only).
    REPORT_FILTERS = ("report_kind", "state", "date_from", "date_to")

    kind = forms.ChoiceField(
        label=_("Data"),
        choices=[
            ("residents", _("Residents")),
            ("households", _("Households (KK)")),
            ("reports", _("RT reports")),
        ],
        widget=UnfoldAdminRadioSelectWidget,
        initial="residents",
    )
    fmt = forms.ChoiceField(
        label=_("Format"), choices=FORMAT_CHOICES, initial="xlsx", widget=UnfoldAdminSelectWidget
    )
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.none(),
        required=False,
        empty_label=_("All of my region"),
        widget=UnfoldAdminSelectWidget,
    )
    rt = forms.ModelChoiceField(
        label=_("RT"),
        queryset=RT.objects.none(),
        required=False,
        empty_label=_("All RTs"),
        widget=UnfoldAdminSelectWidget,
    )
    report_kind = forms.ChoiceField(
        label=_("Kind of report"),
        choices=[("", _("All kinds")), *ReportKind.choices],
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All states")), *ReportState.choices],
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    date_from = forms.DateField(
        label=_("Report date from"), required=False, widget=DayFirstDateInput
    )
    date_to = forms.DateField(label=_("Report date to"), required=False, widget=DayFirstDateInput)
    reveal = forms.BooleanField(
        label=_("Full NIK and KK numbers"),
        required=False,
        widget=UnfoldBooleanWidget,
        help_text=_(
            "Otherwise they are masked (647104********0001). Full numbers are personal data: "
            "the export is recorded in the audit trail. Only a file with full numbers can be "
            "imported again (a masked report file can, when its reports already exist)."
        ),
    )

    def __init__(self, *args, actor, with_kind: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from backend.wilayah.selectors import kelurahan_list

        self.fields["kelurahan"].queryset = kelurahan_list(actor=actor).order_by("name")
        self.fields["rt"].queryset = (
            RT.objects.filter(actor.scope.rt_q(Cap.POPULATION_EXPORT, ""))
            .select_related("kelurahan", "rw")
            .order_by("kelurahan__name", "rw__number", "number")
        )
        self.fields["rt"].label_from_instance = lambda rt: f"{rt.label} · {rt.kelurahan.name}"
        if not actor.scope.has(Cap.POPULATION_VIEW_NIK):
            del self.fields["reveal"]
        if not actor.scope.has(Cap.REPORT_VIEW):
            self.fields["kind"].choices = self.fields["kind"].choices[:2]
        if not with_kind:
            for name in ("kind", "kelurahan", "rt", *self.REPORT_FILTERS):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data

    def export_kwargs(self) -> dict:
        fmt = self.cleaned_data["fmt"]  # "xlsx", "csv;" or "csv,"
        return {
            "fmt": "csv" if fmt.startswith("csv") else fmt,
            "delimiter": fmt[3:] if fmt.startswith("csv") else ";",
            "reveal": self.cleaned_data.get("reveal", False),
        }

    def filter_kwargs(self) -> dict:
        """The region and, for reports, the report filters."""
        data = self.cleaned_data
        kwargs = {"kelurahan": data.get("kelurahan"), "rt": data.get("rt")}
        if data.get("kind") == "reports":
            kwargs.update(
                report_kind=data.get("report_kind") or None,
                state=data.get("state") or None,
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
            )
        return kwargs


def run_export(*, actor, kind: str, report_kind: str | None = None, **kwargs):
    """One door for every export: residents and households, or reports (of one kind)."""
    if kind == "reports":
        return reports_export(actor=actor, kind=report_kind, **kwargs)
    return population_export(actor=actor, kind=kind, **kwargs)


# -- the import job admin ------------------------------------------------------------


class KindFilter(admin.SimpleListFilter):
    """The kinds by their names ("Warga (satu baris per warga)"), not their keys."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return services.import_kind_choices(actor=request.user)

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(ImportJob)
class ImportJobAdmin(ModelAdmin):
    list_display = (
        "original_name",
        "kind_label",
        "kelurahan",
        "status_label",
        "rows_label",
        "created_by",
        "created_at",
    )
    list_filter = ("status", KindFilter)
    search_fields = ("original_name",)
    list_select_related = ("kelurahan", "created_by")
    date_hierarchy = "created_at"
    actions_list = ["open_export"]

    # Permissions come from the user's roles (Cap), not from Django's model permissions.
    def has_module_permission(self, request) -> bool:
        return _can_import(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _can_import(request)

    def has_add_permission(self, request) -> bool:
        return _can_import(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_export_permission(self, request) -> bool:
        return _can_export(request)

    def get_queryset(self, request) -> QuerySet:
        return import_job_list(actor=request.user)

    @action(
        description=_("Export residents, households or reports"),
        url_path="open-export",
        permissions=["export"],
        icon="download",
    )
    def open_export(self, request):
        return HttpResponseRedirect(reverse("admin:imports_importjob_export"))

    @admin.display(description=_("kind"))
    def kind_label(self, job: ImportJob) -> str:
        return get_kind(job.kind).label

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, job: ImportJob) -> str:
        if job.is_stale:
            return _("stopped (the worker did not finish)")
        return job.get_status_display()

    @admin.display(description=_("rows"))
    def rows_label(self, job: ImportJob) -> str:
        counts = (job.result_counts or job.preview_counts).get("rows")
        if not counts:
            return "—"
        return format_html(
            "{}: {} · {}: {} · {}: {}",
            _("new"),
            counts["new"],
            _("updated"),
            counts["updated"],
            _("errors"),
            counts["invalid"],
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("export/", wrap(self.export_view), name=f"{name}_export"),
            path("<uuid:job_id>/progress/", wrap(self.progress_view), name=f"{name}_progress"),
            path("<uuid:job_id>/confirm/", wrap(self.confirm_view), name=f"{name}_confirm"),
            path("<uuid:job_id>/cancel/", wrap(self.cancel_view), name=f"{name}_cancel"),
            path("<uuid:job_id>/recheck/", wrap(self.recheck_view), name=f"{name}_recheck"),
            path(
                "<uuid:job_id>/failed-rows/",
                wrap(self.failed_rows_view),
                name=f"{name}_failed_rows",
            ),
            *super().get_urls(),
        ]

    # -- helpers

    def _job(self, request, job_id) -> ImportJob:
        if not _can_import(request):
            raise PermissionDenied
        try:
            return import_job_get(actor=request.user, pk=job_id)
        except DomainError:
            raise Http404(_("Import not found.")) from None

    def _job_url(self, job: ImportJob) -> str:
        return reverse("admin:imports_importjob_change", args=[job.pk])

    def _context(self, request, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": True,
            **extra,
        }

    # -- upload

    def add_view(self, request, form_url="", extra_context=None):
        if not _can_import(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, actor=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                job = services.import_job_create(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    kelurahan=form.cleaned_data["kelurahan"],
                    upload=form.cleaned_data["file"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                return HttpResponseRedirect(self._job_url(job))
        context = self._context(
            request,
            title=_("Import a spreadsheet"),
            form=form,
            kinds=[(k, get_kind(k)) for k, _label in form.fields["kind"].choices],
        )
        return render(request, f"{TEMPLATES}/upload.html", context)

    # -- the job page: progress, preview, result

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        severity = request.GET.get("severity") or None
        if severity not in (None, "error", "warning"):
            severity = None
        # A column the file lacks is one problem; its rows' notes are for the failed-rows file.
        problems = job.problems.exclude(code=runner.MISSING_COLUMN_ROW)
        if severity:
            problems = problems.filter(severity=severity)
        page = Paginator(problems.order_by("row_number", "id"), PROBLEMS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        reveal = request.user.scope.can_in_kelurahan(Cap.POPULATION_VIEW_NIK, job.kelurahan)
        secret = PERSONAL_NUMBER_KEYS
        rows = [
            {
                "row": p.row_number,
                "column": p.column,
                "value": p.value if reveal or p.field not in secret else mask_number(p.value),
                "message": p.message,
                "severity": p.severity,
            }
            for p in page
        ]
        counts = job.result_counts or job.preview_counts
        kind = get_kind(job.kind)
        context = self._context(
            request,
            title=str(job),
            job=job,
            kind=kind,
            counts=counts,
            # The second entity's row (KKs, death reports to approve), when it says something.
            secondary_any=any((counts or {}).get("secondary", {}).values()),
            progress=job.progress(),
            columns_used=[c for c in job.columns if c["state"] == "used"],
            columns_ignored=[c for c in job.columns if c["state"] == "ignored"],
            columns_unknown=[c for c in job.columns if c["state"] in ("unknown", "duplicate")],
            problems=rows,
            page=page,
            severity=severity,
            confirm_form=ConfirmForm(),
            error_count=job.problems.filter(severity=ImportProblem.Severity.ERROR).count(),
            may_confirm=job.status == ImportJob.Status.PREVIEW
            and kind.kelurahan_ok(request.user, job.kelurahan),
            progress_url=reverse("admin:imports_importjob_progress", args=[job.pk]),
            original=job,
        )
        return render(request, f"{TEMPLATES}/job.html", context)

    def progress_view(self, request, job_id):
        job = self._job(request, job_id)
        return JsonResponse(job.progress())

    def _post_action(self, request, job_id, action, done_message):
        if request.method != "POST":
            raise Http404
        job = self._job(request, job_id)
        try:
            action(job)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, done_message)
        return HttpResponseRedirect(self._job_url(job))

    def confirm_view(self, request, job_id):
        form = ConfirmForm(request.POST)
        valid_only = form.is_valid() and form.cleaned_data["valid_only"]
        return self._post_action(
            request,
            job_id,
            lambda job: services.import_job_confirm(
                actor=request.user, job=job, valid_only=valid_only
            ),
            _("The import has started. You may leave this page; it continues in the background."),
        )

    def cancel_view(self, request, job_id):
        return self._post_action(
            request,
            job_id,
            lambda job: services.import_job_cancel(actor=request.user, job=job),
            _("The import was cancelled; nothing was imported."),
        )

    def recheck_view(self, request, job_id):
        return self._post_action(
            request,
            job_id,
            lambda job: services.import_job_recheck(actor=request.user, job=job),
            _("The file is being checked again."),
        )

    def failed_rows_view(self, request, job_id):
        job = self._job(request, job_id)
        return _file_response(services.import_failed_rows(actor=request.user, job=job))

    # -- export

    def export_view(self, request):
        if not _can_export(request):
            raise PermissionDenied
        form = ExportForm(request.POST or None, actor=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                export = run_export(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    **form.filter_kwargs(),
                    **form.export_kwargs(),
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                return _file_response(export)
        context = self._context(
            request,
            title=_("Export residents, households or reports"),
            form=form,
            report_filters=ExportForm.REPORT_FILTERS,
        )
        return render(request, f"{TEMPLATES}/export.html", context)


# -- "export selected" for the resident, household and report admins --------------------

# Model name -> what ``run_export`` calls it.
EXPORTED_MODELS = {
    "resident": "residents",
    "household": "households",
    "report": "reports",
    "reportqueue": "reports",
}


def _may_export(user, kind: str | None) -> bool:
    if kind is None:
        return False  # a model this door does not export
    scope = user.scope
    if kind == "reports":
        return scope.has(Cap.POPULATION_EXPORT) and scope.has(Cap.REPORT_VIEW)
    return scope.has(Cap.POPULATION_EXPORT)


@admin.action(description=_("Export selected (XLSX/CSV)"))
def export_selected(modeladmin, request, queryset):
    """Ask for the format (and full numbers, if allowed), then send the file."""
    kind = EXPORTED_MODELS.get(modeladmin.opts.model_name)
    if not _may_export(request.user, kind):
        raise PermissionDenied
    form = ExportForm(
        request.POST if request.POST.get("confirm_export") else None,
        actor=request.user,
        with_kind=False,
    )
    if request.POST.get("confirm_export") and form.is_valid():
        try:
            export = run_export(
                actor=request.user, kind=kind, ids=queryset.values("pk"), **form.export_kwargs()
            )
        except DomainError as exc:
            modeladmin.message_user(request, str(exc.message), messages.ERROR)
            return None
        return _file_response(export)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Export selected"),
        "opts": modeladmin.opts,
        "form": form,
        "queryset": queryset,
        "count": queryset.count(),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
    }
    return render(request, f"{TEMPLATES}/export_selected.html", context)


class ScopedExportMixin:
    """Scoped, masked, audited exports on a resident, household or report admin.

    - "Export selected" in the actions menu (``export_selected``);
    - "Export this list" above the change list: the rows of the list as it is
      filtered and searched now (all pages), after asking for the format.

    Both go through ``run_export`` (``population_export`` or ``reports_export``),
    which keeps only the rows of the user's export scope and masks numbers
    unless the user may see them and asks for them.
    """

    change_list_template = f"{TEMPLATES}/export_change_list.html"

    def _export_kind(self) -> str | None:
        return EXPORTED_MODELS.get(self.opts.model_name)

    def _may_export_here(self, request) -> bool:
        return _may_export(request.user, self._export_kind())

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if self._may_export_here(request):
            actions["export_selected"] = (
                export_selected,
                "export_selected",
                export_selected.short_description,
            )
        return actions

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_filtered_view),
                name="{}_{}_export_filtered".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if self._may_export_here(request):
            info = self.opts.app_label, self.opts.model_name
            url = reverse("admin:{}_{}_export_filtered".format(*info))
            query = request.GET.urlencode()
            extra_context["export_filtered_url"] = f"{url}?{query}" if query else url
        return super().changelist_view(request, extra_context)

    def export_filtered_view(self, request):
        """The change list's rows (its filters and search from the query string) as a file."""
        if not (self._may_export_here(request) and self.has_view_permission(request)):
            raise PermissionDenied
        kind = self._export_kind()
        info = self.opts.app_label, self.opts.model_name
        changelist_url = reverse("admin:{}_{}_changelist".format(*info))
        query = request.GET.urlencode()
        try:
            rows = self.get_changelist_instance(request).get_queryset(request)
        except Exception:
            messages.error(request, _("This list cannot be exported; open it again."))
            return HttpResponseRedirect(changelist_url)
        form = ExportForm(request.POST or None, actor=request.user, with_kind=False)
        if request.method == "POST" and form.is_valid():
            try:
                export = run_export(
                    actor=request.user,
                    kind=kind,
                    ids=rows.order_by().values("pk"),
                    **form.export_kwargs(),
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                return _file_response(export)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export this list"),
            "opts": self.opts,
            "form": form,
            "count": rows.count(),
            "back_url": f"{changelist_url}?{query}" if query else changelist_url,
        }
        return render(request, f"{TEMPLATES}/export_filtered.html", context)


# -- sidebar ---------------------------------------------------------------------------

# The export page is reachable for every role that may export (a Camat
# exports without importing), so its link does not depend on the job list.
admin.site.add_nav_group(
    NavGroup(
        "impor",
        _("Import and export"),
        order=40,
        items=[
            NavItem(_("Import jobs"), "upload_file", model="imports.importjob"),
            NavItem(
                _("New import"),
                "note_add",
                url_name="admin:imports_importjob_add",
                permission=_can_import,
            ),
            NavItem(
                _("Export"),
                "download",
                url_name="admin:imports_importjob_export",
                permission=_can_export,
            ),
        ],
    )
)

__all__ = ["ImportJobAdmin", "ScopedExportMixin", "export_selected", "run_export"]
