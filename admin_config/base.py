"""The base every Lapor RT ModelAdmin stands on: scope in, services out.

:class:`ScopedModelAdmin` is a thin door (DESIGN.md):

- **Reads** come from the domain selectors through :meth:`scoped_queryset`;
  the admin never filters by region itself. Changelists, counts, facets,
  change views, foreign-key choices, list-filter choices and autocomplete
  results all start from there.
- **Permissions** ask the user's ``Scope``: a capability anywhere for the
  model-level questions, the capability over the row's RT for a row.
- **Writes** go through the domain services. The service runs while the
  form is validated (:class:`ServiceModelForm`), inside a savepoint of the
  transaction Django's change view already holds, so a ``DomainError``
  becomes errors on the form and nothing is written. ``save_model`` only
  shows the service's soft warnings.
- **Sensitive numbers** (NIK, KK number) can never be filtered, ordered or
  referenced through the URL: a partial match would reveal masked digits.

Subclasses implement :meth:`scoped_queryset` and, when they write,
:meth:`run_service` and :meth:`delete_service`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.forms.models import construct_instance
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin

from backend.accounts.roles import Cap
from backend.accounts.scope import Scope
from backend.audit.context import Door, audit_context
from backend.common.errors import DomainError, Problem

if TYPE_CHECKING:
    from backend.wilayah.models import RT


#: Field names that are never URL lookups or ``_to_field`` on any model, wherever they
#: appear along a lookup path (``?household__no_kk__startswith=``, ``?birth_date__year=``):
#: a partial match, counted over many requests, would reveal masked digits or birth dates.
SENSITIVE_FIELD_NAMES = frozenset(
    {
        "nik",
        "no_kk",
        "birth_date",
        "passport_number",
        "kitas_number",
        "phone",
        "informant_nik",
        "reporter_nik",
        "subject_nik",
        "content_hash",
        "password",
    }
)


def is_sensitive_field_name(name: str) -> bool:
    return name in SENSITIVE_FIELD_NAMES or name.endswith(("_nik", "_no_kk", "_birth_date"))


def touches_sensitive_field(model: type[Model], lookup: str) -> bool:
    """Whether ``lookup`` reaches a sensitive field of ``model`` or of a model it traverses to.

    Walks the path as Django does: each part that names a field of the current
    model is checked, relations lead on to the related model, and the first part
    that is no field (a transform such as ``year``, or ``isnull``) ends the walk.
    """
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if is_sensitive_field_name(field.name):
            return True
        path_infos = getattr(field, "path_infos", None)
        if not path_infos:
            return False
        model = path_infos[-1].to_opts.model
    return False


def guard_sensitive_lookups(model_admin) -> None:
    """Give a ModelAdmin that does not stand on :class:`ScopedModelAdmin` (a third-party
    one, the import jobs) the same refusals: no URL lookup or ``_to_field`` on a sensitive
    field, and no Django "History" (LogEntry) page. The admin site calls it for every
    ModelAdmin it registers."""
    if isinstance(model_admin, ScopedModelAdmin):
        return
    lookup_allowed = model_admin.lookup_allowed
    to_field_allowed = model_admin.to_field_allowed

    def guarded_lookup_allowed(lookup, value, request):
        if touches_sensitive_field(model_admin.model, lookup):
            return False
        return lookup_allowed(lookup, value, request)

    def guarded_to_field_allowed(request, to_field):
        if is_sensitive_field_name(to_field):
            return False
        return to_field_allowed(request, to_field)

    def no_history_view(request, object_id, extra_context=None):
        raise Http404

    model_admin.lookup_allowed = guarded_lookup_allowed
    model_admin.to_field_allowed = guarded_to_field_allowed
    if not hasattr(type(model_admin), "audit_history_template"):
        model_admin.history_view = no_history_view


def scope_of(request: HttpRequest) -> Scope:
    """The signed-in user's Scope; an empty one for anonymous visitors (login page)."""
    return getattr(request.user, "scope", None) or Scope()


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose validation ends by running the domain service.

    Django's ``_post_clean`` (model validation, ``validate_unique``) is
    replaced: the service validates, and it is the only writer. The admin
    that built the form class sets ``request``, ``model_admin`` and
    ``is_change`` on it (see :meth:`ScopedModelAdmin.get_form`).
    """

    request: HttpRequest | None = None
    model_admin: ScopedModelAdmin | None = None
    is_change: bool = False
    saved_object: Model | None = None

    def _post_clean(self) -> None:
        opts = self._meta
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)
        if self._errors:
            return
        try:
            # A savepoint: a refusal, or any error after a partial write, leaves nothing.
            with transaction.atomic():
                self.saved_object = self.model_admin.run_service(
                    self.request, self, change=self.is_change
                )
        except DomainError as exc:
            self.add_domain_error(exc)

    def add_domain_error(self, exc: DomainError) -> None:
        field_map = self.model_admin.service_field_map if self.model_admin else {}
        for problem in exc.problems:
            name = field_map.get(problem.field, problem.field)
            self.add_error(name if name in self.fields else None, problem.render())

    def changed_values(self, allowed: Iterable[str]) -> dict[str, Any]:
        """``{field: cleaned value}`` for the changed form fields among ``allowed``."""
        allowed = set(allowed)
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in allowed and name in self.cleaned_data
        }


class ScopedModelAdmin(ModelAdmin):
    """A ModelAdmin whose reads, permissions and writes all follow the user's Scope."""

    #: Capability needed to see rows (model level: anywhere; row level: over its RT).
    view_cap: str = Cap.POPULATION_VIEW
    #: Capability needed to add, change or delete rows.
    change_cap: str = Cap.POPULATION_CHANGE
    #: Fields never allowed in URL lookups, ordering or ``_to_field``.
    sensitive_fields: tuple[str, ...] = ()
    #: Maps a service ``Problem.field`` to the form field that shows it.
    service_field_map: dict[str, str] = {}

    form = ServiceModelForm
    # Subclasses adding actions keep this one: ``[*ScopedModelAdmin.actions, ...]``.
    actions = ["delete_selected"]
    save_as = False
    list_filter_submit = True
    list_per_page = 50
    # Edits happen in the form, through a service; there are no editable inlines
    # (their formsets would be validated after the service already ran).
    inlines = ()

    # -- reads ----------------------------------------------------------------

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        """Rows from the domain selector: those the user may see (``cap`` None),
        or those over which the user holds ``cap``."""
        raise NotImplementedError

    def with_list_annotations(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """Extra columns for the changelist and the detail page (counts, names)."""
        return queryset

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = self.with_list_annotations(request, self.scoped_queryset(request))
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        return qs

    def get_write_queryset(self, request: HttpRequest) -> QuerySet:
        """Rows the user may change."""
        return self.scoped_queryset(request, self.change_cap)

    def choice_label(self, obj: Model) -> str:
        """How a row of this model reads in filters, selects and autocomplete."""
        return str(obj)

    # -- permissions ----------------------------------------------------------

    def rt_of(self, obj: Model) -> RT:
        return obj.rt

    def obj_allows(self, request: HttpRequest, cap: str, obj: Model) -> bool:
        return scope_of(request).can(cap, self.rt_of(obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return scope_of(request).has(self.view_cap)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return scope_of(request).has(self.view_cap)
        return self.obj_allows(request, self.view_cap, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return scope_of(request).has(self.change_cap)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return scope_of(request).has(self.change_cap)
        return self.obj_allows(request, self.change_cap, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    # -- URL lookups that could reveal masked numbers ---------------------------

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        if lookup.split(LOOKUP_SEP)[0] in self.sensitive_fields:
            return False
        if touches_sensitive_field(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def to_field_allowed(self, request: HttpRequest, to_field: str) -> bool:
        if to_field in self.sensitive_fields or is_sensitive_field_name(to_field):
            return False
        return super().to_field_allowed(request, to_field)

    # Django's own "History" page lists LogEntry rows, unscoped and unmasked. We
    # write none (see log_addition below), but the page must not exist either:
    # the audit trail's "Riwayat" (``AuditHistoryMixin``) replaces it where offered.
    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        raise Http404

    def get_sortable_by(self, request: HttpRequest):
        return [
            name for name in super().get_sortable_by(request) if name not in self.sensitive_fields
        ]

    def get_changelist(self, request: HttpRequest, **kwargs):
        # ``sortable_by`` only hides the column headers' sort links; ``?o=3`` would still
        # order by that column. The change list refuses it too.
        return _sortable_only(super().get_changelist(request, **kwargs))

    # -- foreign keys: only rows the user may write to ---------------------------

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, ScopedModelAdmin) and "queryset" not in kwargs:
            kwargs["queryset"] = related_admin.scoped_queryset(request, self.change_cap)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if isinstance(related_admin, ScopedModelAdmin) and field is not None:
            field.label_from_instance = related_admin.choice_label
        return field

    # -- writes -----------------------------------------------------------------

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, ServiceModelForm):
            form = type(
                form.__name__,
                (form,),
                {"request": request, "model_admin": self, "is_change": change},
            )
        return form

    def run_service(self, request: HttpRequest, form: ServiceModelForm, *, change: bool) -> Model:
        """Create or change the row through its service; return the saved object."""
        raise NotImplementedError

    def delete_service(self, request: HttpRequest, obj: Model) -> None:
        raise NotImplementedError

    def get_warnings(self, request: HttpRequest, obj: Model) -> list[Problem]:
        """Soft warnings to show after a successful save."""
        return []

    def save_form(self, request: HttpRequest, form, change: bool):
        # The service already wrote the row while the form was validated.
        return form.saved_object

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        for problem in self.get_warnings(request, obj):
            self.message_user(request, problem.render(), messages.WARNING)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Nothing to do: no many-to-many fields and no editable inlines."""

    def delete_model(self, request: HttpRequest, obj) -> None:
        self.delete_service(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            # Django's delete view runs in a transaction, so the refusal wrote nothing.
            self.message_user(request, _refusal_text(exc), messages.ERROR)
            url = reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[object_id],
            )
            return HttpResponseRedirect(url)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> tuple[int, int]:
        """Delete through the service, row by row; return (deleted, refused)."""
        writable = self.get_write_queryset(request).filter(pk__in=queryset.values("pk"))
        deleted = 0
        with audit_context(door=Door.ADMIN_ACTION):
            for obj in writable:
                try:
                    with transaction.atomic():
                        self.delete_service(request, obj)
                except DomainError as exc:
                    self.message_user(request, f"{obj}: {_refusal_text(exc)}", messages.ERROR)
                else:
                    deleted += 1
        # Rows outside the user's write scope were never loaded; they count as refused.
        return deleted, queryset.count() - deleted

    @admin.action(description=_("Delete selected %(verbose_name_plural)s"), permissions=["delete"])
    def delete_selected(self, request: HttpRequest, queryset: QuerySet):
        """Django's confirmation page, then deletion through the service."""
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        deleted, refused = self.delete_queryset(request, queryset)
        if deleted:
            self.message_user(
                request,
                _("Deleted %(count)d %(items)s.")
                % {"count": deleted, "items": model_ngettext(self.opts, deleted)},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d row was not deleted.", "%(count)d rows were not deleted.", refused
                )
                % {"count": refused},
                messages.WARNING,
            )
        return None

    # The audit trail (backend.audit) is the one record of changes; Django's
    # LogEntry would be a second, unscoped copy holding names.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None


class ReadOnlyScopedModelAdmin(ScopedModelAdmin):
    """Browse-only: nobody adds, changes or deletes rows here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _get_action_choices(
    self, request, default_choices=None, action_location=ActionLocation.CHANGE_LIST
):
    if default_choices is None:
        default_choices = [("", _("Select action"))]
    return admin.ModelAdmin.get_action_choices(
        self, request, default_choices, action_location=action_location
    )


# Django 6.1 passes ``action_location`` to ``get_action_choices``; unfold 0.110.0
# overrides it without that argument, and Django warns (RemovedInDjango2028Warning)
# on every change list of every unfold ModelAdmin, ours or another app's. Give
# unfold's method the current signature. TODO(issue 2): remove, with
# ``admin_config.site``'s warning filter, when a django-unfold release after the pinned
# 0.110.0 (pyproject.toml) accepts ``action_location`` in ``get_action_choices``.
ModelAdmin.get_action_choices = _get_action_choices


def _sortable_only(changelist_class):
    """A ChangeList that orders only by the columns in ``sortable_by`` (``?o=`` included)."""

    class SortableOnlyChangeList(changelist_class):
        def get_ordering_field(self, field_name):
            name = field_name
            if not isinstance(name, str):
                name = getattr(field_name, "__name__", "")
            if self.sortable_by is not None and name not in self.sortable_by:
                return None
            return super().get_ordering_field(field_name)

    return SortableOnlyChangeList


def _refusal_text(exc: DomainError) -> str:
    return " ".join(problem.render() for problem in exc.problems)
