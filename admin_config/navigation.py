"""Sidebar navigation: groups of links, each shown only to users who may open it.

The site (``admin_config.site.LaporAdminSite``) owns a list of
:class:`NavGroup`. Later pages add to it without touching the site::

    from django.contrib import admin
    from admin_config.navigation import NavGroup, NavItem

    admin.site.add_nav_group(NavGroup("audit", _("Audit"), order=40))
    admin.site.add_nav_item("audit", NavItem(_("Audit trail"), "history",
                                             model="audit.auditevent"))

An item points at a registered model (its changelist, shown when the
model's admin grants view permission) or at a named URL (shown when its
``permission`` callable says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    title: str
    icon: str
    #: ``app_label.model_name`` of a registered model; links to its changelist.
    model: str | None = None
    #: A named URL (``admin:index``), for pages that are not a changelist.
    url_name: str | None = None
    #: Extra query string for the link, e.g. ``needs_update__exact=1``.
    query: str = ""
    #: For ``url_name`` items: who may see the link (everyone signed in if None).
    permission: Callable[[HttpRequest], bool] | None = None


@dataclass
class NavGroup:
    key: str
    title: str
    order: int = 100
    items: list[NavItem] = field(default_factory=list)


def resolve_items(site, request: HttpRequest, items: list[NavItem]) -> list[dict]:
    """The items of one group that this user may open, as unfold's sidebar dicts."""
    resolved = []
    for item in items:
        link = _link(site, request, item)
        if link is not None:
            resolved.append({"title": str(item.title), "icon": item.icon, "link": link})
    return resolved


def _link(site, request: HttpRequest, item: NavItem) -> str | None:
    if item.model:
        try:
            model = apps.get_model(item.model)
        except LookupError:
            return None
        model_admin = site._registry.get(model)
        if model_admin is None or not (
            model_admin.has_module_permission(request)
            and model_admin.has_view_or_change_permission(request)
        ):
            return None
        opts = model._meta
        url = reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_changelist")
    else:
        if item.permission is not None and not item.permission(request):
            return None
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            return None
    return f"{url}?{item.query}" if item.query else url
