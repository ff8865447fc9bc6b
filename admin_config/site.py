"""The Lapor RT admin site: who may enter, the dashboard, the sidebar, the language.

Extension points (so reports, audit and import pages plug in later without
rewriting this module):

- ``site.register_dashboard_panel(panel)``: a ``dashboard.DashboardPanel``;
- ``site.add_nav_group(group)`` / ``site.add_nav_item(group_key, item)``:
  sidebar entries (``navigation.NavGroup`` / ``navigation.NavItem``);
- any module ``admin_config/<name>.py`` is imported at start-up (see
  ``admin_config/admin.py``), so its ``@admin.register`` calls take effect.
"""

from __future__ import annotations

import warnings

from django.conf import settings
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponseNotAllowed
from django.urls import path, reverse
from django.utils.deprecation import RemovedInDjango2028Warning
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.i18n import set_language
from unfold.forms import AdminOwnPasswordChangeForm
from unfold.sites import UnfoldAdminSite

from admin_config.base import guard_sensitive_lookups
from admin_config.dashboard import DashboardPanel, PopulationPanel, RenderedPanel
from admin_config.navigation import NavGroup, NavItem, mark_active, resolve_items

# unfold 0.110.0 overrides ``get_action_choices`` without Django 6.1's
# ``action_location`` argument, and Django warns about it on every change
# list. ``admin_config.base`` gives unfold's method the current signature; this
# filter (just that warning) is the second line, for any subclass that brings
# the old signature back, so a run with warnings as errors does not answer 500.
# TODO(issue 2): drop both when a django-unfold release after the pinned 0.110.0
# (pyproject.toml) accepts ``action_location`` in ``ModelAdmin.get_action_choices``.
warnings.filterwarnings(
    "ignore",
    message=r"Overriding get_action_choices\(\) without the 'action_location'",
    category=RemovedInDjango2028Warning,
)


def default_nav_groups() -> list[NavGroup]:
    return [
        NavGroup(
            "home",
            "",
            order=0,
            items=[NavItem(_("Dashboard"), "dashboard", url_name="admin:index")],
        ),
        NavGroup(
            "wilayah",
            _("Regions"),
            order=10,
            items=[
                NavItem(_("Kecamatan"), "map", model="wilayah.kecamatan"),
                NavItem(_("Kelurahan"), "location_city", model="wilayah.kelurahan"),
                NavItem(_("RT"), "holiday_village", model="wilayah.rt"),
            ],
        ),
        NavGroup(
            "kependudukan",
            _("Population"),
            order=20,
            items=[
                NavItem(_("Family cards (KK)"), "family_restroom", model="population.household"),
                NavItem(_("Residents"), "groups", model="population.resident"),
            ],
        ),
        NavGroup(
            "akun",
            _("Accounts"),
            order=90,
            items=[
                NavItem(_("Users"), "person", model="accounts.user"),
                NavItem(_("Role assignments"), "badge", model="accounts.roleassignment"),
                NavItem(_("API tokens"), "key", model="accounts.apitoken"),
            ],
        ),
        NavGroup(
            "operasional",
            _("Operations"),
            order=95,
            items=[
                NavItem(_("Login attempts"), "lock", model="axes.accessattempt"),
                NavItem(_("Login failures"), "lock_clock", model="axes.accessfailurelog"),
                NavItem(
                    _("Background tasks"), "schedule", model="django_tasks_database.dbtaskresult"
                ),
            ],
        ),
    ]


#: Models whose admin Lapor RT does not offer: Django's groups and permissions are
#: not used, the roles (``backend.accounts.roles``) are the permissions.
NOT_OFFERED = frozenset({"auth.group"})


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results from the target admin's selector.

    An autocomplete widget sits on a form that writes, so the results are
    the rows over which the user holds the *source* admin's write capability
    (a Lurah choosing a KK for a resident sees only KKs they may change).
    """

    def get_queryset(self):
        from admin_config.base import ScopedModelAdmin

        source_admin = self.admin_site._registry.get(self.source_field.model)
        cap = getattr(source_admin, "change_cap", None)
        if isinstance(self.model_admin, ScopedModelAdmin) and cap:
            qs = self.model_admin.scoped_queryset(self.request, cap)
        else:
            qs = self.model_admin.get_queryset(self.request)
        qs = qs.complex_filter(self.source_field.get_limit_choices_to())
        qs, use_distinct = self.model_admin.get_search_results(self.request, qs, self.term)
        return qs.distinct() if use_distinct else qs

    def serialize_result(self, obj, to_field_name):
        label = getattr(self.model_admin, "choice_label", str)
        return {"id": str(getattr(obj, to_field_name)), "text": label(obj)}


class OwnPasswordChangeForm(AdminOwnPasswordChangeForm):
    """The admin's "change my password" form, saved through the accounts service
    (audited, and every API token of the account revoked)."""

    def save(self, commit: bool = True):
        from backend.accounts.services import password_change_own

        return password_change_own(user=self.user, password=self.cleaned_data["new_password1"])


class LaporAdminSite(UnfoldAdminSite):
    site_title = _("Lapor RT")
    site_header = _("Lapor RT backoffice")
    index_title = _("Dashboard")
    index_template = "admin_config/index.html"

    def i18n_javascript(self, request: HttpRequest, extra_context=None):
        # Django's admin catalogue, plus ours for the strings its Indonesian lacks.
        from django.views.i18n import JavaScriptCatalog

        return JavaScriptCatalog.as_view(packages=["django.contrib.admin", "admin_config"])(request)

    def password_change(self, request: HttpRequest, extra_context=None):
        # unfold's own view names its form class directly; the same view with ours.
        from django.contrib.auth.views import PasswordChangeView

        defaults = {
            "form_class": OwnPasswordChangeForm,
            "success_url": reverse(f"{self.name}:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return PasswordChangeView.as_view(**defaults)(request)

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self.nav_groups: list[NavGroup] = default_nav_groups()
        self.dashboard_panels: list[DashboardPanel] = [PopulationPanel()]
        # Every ModelAdmin brings its own delete action that goes through the service.
        self.disable_action("delete_selected")

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        offered = [m for m in models if m._meta.label_lower not in NOT_OFFERED]
        if offered:
            super().register(offered, admin_class, **options)
            for model in offered:
                if model in self._registry:
                    guard_sensitive_lookups(self._registry[model])

    # -- who may enter ----------------------------------------------------------

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff holding at least one active role (or a superuser)."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        scope = user.scope
        return scope.is_superuser or bool(scope.roles)

    # -- extension points -------------------------------------------------------

    def add_nav_group(self, group: NavGroup) -> None:
        self.nav_groups = [g for g in self.nav_groups if g.key != group.key] + [group]

    def add_nav_item(self, group_key: str, item: NavItem) -> None:
        for group in self.nav_groups:
            if group.key == group_key:
                group.items.append(item)
                return
        raise KeyError(group_key)

    def register_dashboard_panel(self, panel: DashboardPanel) -> None:
        self.dashboard_panels = [p for p in self.dashboard_panels if p.key != panel.key]
        self.dashboard_panels.append(panel)

    # -- sidebar ----------------------------------------------------------------

    def get_sidebar_list(self, request: HttpRequest) -> list[dict]:
        resolved = [
            (group, items)
            for group in sorted(self.nav_groups, key=lambda g: g.order)
            if (items := resolve_items(self, request, group.items))
        ]
        mark_active(
            request,
            [(str(group.title), items) for group, items in resolved],
            reverse(f"{self.name}:index"),
        )
        return [
            {
                "title": str(group.title),
                "items": self._get_navigation_items(request, items),
                "separator": position > 0,
            }
            for position, (group, items) in enumerate(resolved)
        ]

    # -- dashboard --------------------------------------------------------------

    def index(self, request: HttpRequest, extra_context=None):
        panels = [
            RenderedPanel(panel.template_name, panel.get_context(request), panel.key)
            for panel in sorted(self.dashboard_panels, key=lambda p: p.order)
            if panel.is_visible(request)
        ]
        return super().index(request, {"dashboard_panels": panels, **(extra_context or {})})

    # -- language and autocomplete ------------------------------------------------

    def get_urls(self):
        return [
            path("language/", csrf_protect(self.language_view), name="set_language"),
            *super().get_urls(),
        ]

    def language_view(self, request: HttpRequest):
        """Switch the interface language; a signed-in user keeps the choice on their account."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        language = request.POST.get("language", "")
        if request.user.is_authenticated and language in dict(settings.LANGUAGES):
            from backend.accounts.services import user_set_language

            user_set_language(actor=request.user, language=language)
        return set_language(request)

    def autocomplete_view(self, request: HttpRequest):
        return ScopedAutocompleteJsonView.as_view(admin_site=self)(request)


def language_action_url(request: HttpRequest) -> str:
    """UNFOLD["LANGUAGES"]["action"]: where the language switcher posts."""
    return reverse("admin:set_language")


def stylesheet_url(request: HttpRequest) -> str:
    """UNFOLD["STYLES"]: a few classes unfold's compiled stylesheet lacks."""
    from django.templatetags.static import static

    return static("admin_config/lapor.css")


def site_subheader(request: HttpRequest) -> str:
    """UNFOLD["SITE_SUBHEADER"]."""
    return _("Kelurahan backoffice")
