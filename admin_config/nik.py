"""Masked personal numbers on admin pages, and revealing one on purpose.

NIK and KK numbers are shown masked (``647104********0001``) everywhere,
for every role. On a detail page, a user holding ``Cap.POPULATION_VIEW_NIK``
over the row's RT gets a "Show NIK" button. Pressing it (a POST, so no link
prefetch or crawler reveals anything) records ``Action.NIK_REVEALED`` in the
audit trail and answers with the full number: an htmx fragment that
replaces the masked one in place, or a small page without JavaScript.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from admin_config.base import scope_of
from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import record
from backend.common.masking import mask_number


def can_reveal(request: HttpRequest, rt) -> bool:
    return scope_of(request).can(Cap.POPULATION_VIEW_NIK, rt)


def masked_html(
    *, value: str | None, dom_id: str, reveal_url: str | None, button_label: str
) -> SafeString:
    """The masked number, plus a reveal button when ``reveal_url`` is given.

    The button sits inside the change form, so it cannot be a form of its
    own: htmx posts just the CSRF token (``hx-params``); without JavaScript,
    ``formaction`` posts the surrounding form to the reveal URL instead.
    """
    if not value:
        return format_html('<span id="{}">{}</span>', dom_id, "—")
    masked = format_html('<span class="font-mono" data-masked="1">{}</span>', mask_number(value))
    if not reveal_url:
        return format_html('<span id="{}">{}</span>', dom_id, masked)
    button = format_html(
        '<button type="submit" formaction="{url}" formmethod="post" formnovalidate '
        'hx-post="{url}" hx-params="csrfmiddlewaretoken" hx-target="#{target}" '
        'hx-swap="outerHTML" class="ml-3 border border-base-200 rounded-default px-2 py-1 '
        'text-xs font-medium hover:text-primary-600 dark:border-base-700" '
        'data-reveal="{target}">{label}</button>',
        url=reveal_url,
        target=dom_id,
        label=button_label,
    )
    return format_html('<span id="{}">{}{}</span>', dom_id, masked, button)


@transaction.atomic
def record_reveal(request: HttpRequest, *, instance, rt, field: str) -> None:
    record(
        actor=request.user,
        action=Action.NIK_REVEALED,
        instance=instance,
        rt=rt,
        note=f"field={field}",
    )


def reveal_response(
    request: HttpRequest,
    *,
    admin_site,
    value: str,
    dom_id: str,
    title: str,
    back_url: str,
) -> HttpResponse:
    """The full number: a fragment for htmx, a small page otherwise."""
    if request.headers.get("HX-Request"):
        return HttpResponse(
            format_html(
                '<span id="{}"><span class="font-mono font-semibold" data-revealed="1">{}</span>'
                '<span class="ml-2 text-xs">{}</span></span>',
                dom_id,
                value,
                _("shown; recorded in the audit trail"),
            )
        )
    return TemplateResponse(
        request,
        "admin_config/reveal.html",
        {
            **admin_site.each_context(request),
            "title": title,
            "value": value,
            "back_url": back_url,
        },
    )
