"""Accounts: users, role assignments and API tokens.

Open to superusers and to the city administrator (``Cap.ACCOUNT_MANAGE``),
for the accounts they manage (``backend.accounts.selectors``). Every change
goes through ``backend.accounts.services``: accounts are deactivated and
roles ended, never deleted, and a password is set through a service that
records the change (never the value). Superuser status and Django's group
and permission tables are not offered: the roles are the permissions.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.widgets import UnfoldAdminPasswordWidget

from admin_config.base import ReadOnlyScopedModelAdmin, ScopedModelAdmin, ServiceModelForm
from admin_config.filters import ChoicesFilter
from backend.accounts import services
from backend.accounts.models import ApiToken, RoleAssignment, User
from backend.accounts.roles import Cap, Level
from backend.accounts.selectors import api_token_list, role_assignment_list, user_list
from backend.audit.context import Door, audit_context
from backend.common.errors import DomainError
from backend.wilayah.selectors import kota_list


def wita(value) -> str:
    """A date and time as Indonesians write it; the format ends with the zone (WITA)."""
    if not value:
        return "—"
    return date_format(localtime(value), "DATETIME_FORMAT")


class AccountAdmin(ScopedModelAdmin):
    view_cap = Cap.ACCOUNT_MANAGE
    change_cap = Cap.ACCOUNT_MANAGE

    def obj_allows(self, request: HttpRequest, cap: str, obj) -> bool:
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# -- users -------------------------------------------------------------------------


class UserForm(ServiceModelForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=UnfoldAdminPasswordWidget(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        required=False,
        widget=UnfoldAdminPasswordWidget(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ()

    def clean(self):
        data = super().clean()
        if not self.is_change:
            if not data.get("password1"):
                self.add_error("password1", _("Enter a password."))
            elif data.get("password1") != data.get("password2"):
                self.add_error("password2", _("The two passwords do not match."))
        return data


class PasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=UnfoldAdminPasswordWidget(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password confirmation"),
        strip=False,
        widget=UnfoldAdminPasswordWidget(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return data


@admin.register(User)
class UserAdmin(AccountAdmin):
    form = UserForm
    sensitive_fields = ("password",)
    service_field_map = {"password": "password1"}
    list_display = ("username", "full_name", "roles", "is_active", "last_login_wita")
    list_filter = ("is_active", ("role_assignments__role", ChoicesFilter))
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    readonly_fields = ("roles", "password_link", "last_login_wita", "date_joined_wita")

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        return user_list(actor=request.user).prefetch_related(
            "role_assignments__rt__kelurahan",
            "role_assignments__kelurahan",
            "role_assignments__kecamatan",
            "role_assignments__kota",
        )

    def choice_label(self, obj) -> str:
        name = obj.get_full_name()
        return f"{obj.username} ({name})" if name else obj.username

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["username", "password1", "password2"]}),
                (
                    _("Personal details"),
                    {"fields": ["first_name", "last_name", "email", "phone", "language"]},
                ),
            ]
        return [
            (None, {"fields": ["username", "password_link"]}),
            (
                _("Personal details"),
                {"fields": ["first_name", "last_name", "email", "phone", "language"]},
            ),
            (_("Access"), {"fields": ["is_active", "is_staff", "roles"]}),
            (_("Dates"), {"fields": ["last_login_wita", "date_joined_wita"]}),
        ]

    def run_service(self, request: HttpRequest, form, *, change: bool):
        data = form.cleaned_data
        if change:
            return services.user_update(
                actor=request.user,
                user=form.instance,
                **form.changed_values(services.USER_FIELDS),
            )
        fields = {
            name: data[name]
            for name in ("first_name", "last_name", "email", "phone", "language")
            if name in data
        }
        return services.user_create(
            actor=request.user,
            username=data.get("username", ""),
            password=data.get("password1", ""),
            **fields,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/password/",
                self.admin_site.admin_view(self.password_view),
                name="accounts_user_password",
            ),
            *super().get_urls(),
        ]

    def password_view(self, request: HttpRequest, object_id: str):
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = PasswordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.user_set_password(
                        actor=request.user, user=user, password=form.cleaned_data["password1"]
                    )
            except DomainError as exc:
                for problem in exc.problems:
                    form.add_error("password1", problem.render())
            else:
                if user.pk == request.user.pk:
                    update_session_auth_hash(request, user)
                self.message_user(request, _("Password changed."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change password: %s") % user.get_username(),
            "adminForm": AdminForm(form, [(None, {"fields": list(form.base_fields)})], {}),
            "form_url": "",
            "form": form,
            "is_popup": False,
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
        }
        return TemplateResponse(request, "admin/auth/user/change_password.html", context)

    @admin.display(description=_("name"))
    def full_name(self, obj):
        return obj.get_full_name() or "—"

    @admin.display(description=_("roles"))
    def roles(self, obj):
        active = [a for a in obj.role_assignments.all() if a.is_active]
        if not active:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}", ((str(a),) for a in active))

    @admin.display(description=_("password"))
    def password_link(self, obj):
        return format_html(
            '<a class="text-primary-600" href="{}">{}</a>',
            reverse("admin:accounts_user_password", args=[obj.pk]),
            _("Set a new password"),
        )

    @admin.display(description=_("last login"), ordering="last_login")
    def last_login_wita(self, obj):
        return wita(obj.last_login)

    @admin.display(description=_("joined"), ordering="date_joined")
    def date_joined_wita(self, obj):
        return wita(obj.date_joined)


# -- role assignments ---------------------------------------------------------------


class RoleAssignmentForm(ServiceModelForm):
    class Meta:
        model = RoleAssignment
        fields = ()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AccountAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "region", "is_active", "created_wita")
    list_filter = (("role", ChoicesFilter), "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("rt",)
    ordering = ("user__username", "role")

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        return role_assignment_list(actor=request.user).select_related(
            "user", "rt__kelurahan", "kelurahan", "kecamatan", "kota"
        )

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["user", "role", "rt", "kelurahan", "kecamatan", "kota"]
        return ["user", "role", "region", "is_active", "created_wita"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        return ["user", "role", "region", "created_wita"]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "kota":
            kwargs["queryset"] = kota_list(actor=request.user, cap=self.change_cap)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name, level in (
            ("rt", Level.RT),
            ("kelurahan", Level.KELURAHAN),
            ("kecamatan", Level.KECAMATAN),
            ("kota", Level.KOTA),
        ):
            if name in form.base_fields:
                form.base_fields[name].help_text = _("Only for roles held over a %(level)s.") % {
                    "level": Level(level).label
                }
        return form

    def run_service(self, request: HttpRequest, form, *, change: bool):
        data = form.cleaned_data
        if change:
            return services.role_update(
                actor=request.user,
                assignment=form.instance,
                is_active=data.get("is_active", form.instance.is_active),
            )
        return services.role_assign(
            actor=request.user,
            user=data.get("user"),
            role=data.get("role"),
            rt=data.get("rt"),
            kelurahan=data.get("kelurahan"),
            kecamatan=data.get("kecamatan"),
            kota=data.get("kota"),
        )

    @admin.display(description=_("region"))
    def region(self, obj):
        region = obj.region
        if obj.level == Level.RT and region is not None:
            return f"{region.label} · {region.kelurahan.name}"
        return str(region) if region is not None else "—"

    @admin.display(description=_("created at"), ordering="created_at")
    def created_wita(self, obj):
        return wita(obj.created_at)


# -- API tokens ---------------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(AccountAdmin, ReadOnlyScopedModelAdmin):
    sensitive_fields = ("key_hash",)
    actions = ["revoke_tokens"]
    list_display = (
        "name",
        "user",
        "prefix",
        "created_wita",
        "expires_wita",
        "last_used_wita",
        "state",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    fields = (
        "name",
        "user",
        "prefix",
        "created_wita",
        "expires_wita",
        "last_used_wita",
        "revoked_wita",
        "state",
    )
    readonly_fields = fields

    def scoped_queryset(self, request: HttpRequest, cap: str | None = None) -> QuerySet:
        return api_token_list(actor=request.user).select_related("user")

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.action(description=_("Revoke selected tokens"), permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet):
        revoked = 0
        with audit_context(door=Door.ADMIN_ACTION):
            for token in self.get_queryset(request).filter(
                pk__in=queryset.values("pk"), revoked_at__isnull=True
            ):
                try:
                    with transaction.atomic():
                        services.token_revoke(actor=request.user, token=token)
                except DomainError as exc:
                    self.message_user(request, f"{token}: {exc.message}", messages.ERROR)
                else:
                    revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.revoked_at:
            return _("revoked")
        return _("active") if obj.is_usable else _("expired")

    @admin.display(description=_("created at"), ordering="created_at")
    def created_wita(self, obj):
        return wita(obj.created_at)

    @admin.display(description=_("expires at"), ordering="expires_at")
    def expires_wita(self, obj):
        return wita(obj.expires_at)

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def last_used_wita(self, obj):
        return wita(obj.last_used_at)

    @admin.display(description=_("revoked at"), ordering="revoked_at")
    def revoked_wita(self, obj):
        return wita(obj.revoked_at)
