"""Template helpers of the backoffice: breadcrumbs that follow the sidebar."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def section_breadcrumbs(context, parts: list[dict]) -> list[dict]:
    """unfold's header parts, with the section named as the sidebar names it.

    unfold builds the first parts from the model: its app's name and its
    plural, so the export page read "Impor dan ekspor > Impor" and the
    compliance page "Laporan RT > Kepatuhan lapor RT". When a sidebar item
    is the current section (``navigation.mark_active``), the parts that point
    at an app index or a list are replaced by the sidebar's group and item;
    the record and the page's own title that follow stay.
    """
    request = context.get("request")
    section = getattr(request, "lapor_section", None)
    if not section:
        return parts
    rest = [part for part in parts if not _is_section_link(part.get("link"))]
    if rest and str(rest[0].get("title")) == str(section["title"]):
        rest = rest[1:]  # a page whose own title is the sidebar item's (the dashboard)
    head = [{"title": section["group"], "link": ""}] if section["group"] else []
    crumbs = [*head, {"title": section["title"], "link": section["link"]}, *rest]
    page = _page_title(request, section)
    if page and str(crumbs[-1]["title"]) != page:
        crumbs.append({"title": page, "link": ""})
    return crumbs


def _page_title(request, section: dict) -> str:
    """The step below the record or list: "Tambahkan pengguna", "Riwayat", "Hapus".

    unfold's header names no step for an add, history or delete page; custom
    pages that are their own sidebar item need none.
    """
    if request.path == urlsplit(section["link"]).path:
        return ""
    match = request.resolver_match
    url_name = (match.url_name or "") if match else ""
    model_admin = getattr(match.func, "model_admin", None) if match else None
    if url_name.endswith("_add") and model_admin is not None:
        return _("Add %(name)s") % {"name": model_admin.opts.verbose_name}
    if url_name.endswith("_history"):
        return _("History")
    if url_name.endswith("_delete"):
        return _("Delete")
    return ""


def _is_section_link(link) -> bool:
    if not link:
        return False
    try:
        name = resolve(str(link).split("?")[0]).url_name or ""
    except Resolver404:
        return False
    return name == "app_list" or name.endswith("_changelist")
