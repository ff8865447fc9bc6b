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
from urllib.parse import urlsplit

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


def mark_active(
    request: HttpRequest, groups: list[tuple[str, list[dict]]], index_path: str
) -> None:
    """Mark the one sidebar item the current page belongs to (``item["active"]``).

    unfold marks every item whose path occurs in the page's path, so on
    "New import" (``/admin/imports/importjob/add/``) both "Import jobs" and
    "New import" lit up. Here the item whose path is the longest prefix of
    the page's path wins (a record, its history and its custom pages belong
    to their list); the dashboard only on the dashboard itself.
    """
    path = request.path
    best, best_length = None, -1
    for _group_title, items in groups:
        for item in items:
            item_path = urlsplit(item["link"]).path
            on_index = item_path == index_path
            matches = path == index_path if on_index else path.startswith(item_path)
            if matches and len(item_path) > best_length:
                best, best_length = item, len(item_path)
    for group_title, items in groups:
        for item in items:
            item["active"] = item is best
            if item is best:
                # For the breadcrumbs (templatetags/lapor_admin.py), which follow the sidebar.
                request.lapor_section = {"group": group_title, **item}


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
