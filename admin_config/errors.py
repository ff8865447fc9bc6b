"""Error pages in the user's language, in the admin's look (403, 404, 500, CSRF).

Django's own pages are English and, with ``DEBUG`` on, show a stack trace.
These views answer with a short page that says what happened in plain words
and links back to the dashboard. ``backend/config/urls.py`` installs them as
``handler403/404/500``; ``CSRF_FAILURE_VIEW`` points at :func:`csrf_failure`.

The page is the login page's layout (no sidebar), so it renders for a
signed-out visitor too and needs no database query; the 500 page falls back
to a plain HTML page when even that template fails.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

TEMPLATE = "admin_config/error.html"

#: status -> (title, explanation)
PAGES = {
    400: (
        gettext_lazy("The request could not be handled"),
        gettext_lazy(
            "The address or the form holds something this page does not accept (for "
            "example a filter that is not offered). Go back and use the page's own "
            "filters and buttons."
        ),
    ),
    403: (
        gettext_lazy("Access denied"),
        gettext_lazy(
            "Your account may not open this page: it belongs to another role or "
            "another region. Ask the kelurahan administrator if you need it."
        ),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy(
            "The page or record you asked for does not exist, was deleted, or is "
            "outside your region. Check the address or start again from the dashboard."
        ),
    ),
    500: (
        gettext_lazy("Something went wrong on the server"),
        gettext_lazy(
            "Your request could not be completed and nothing was saved by it. "
            "Try again in a moment; if it happens again, tell the administrator "
            "the time it happened."
        ),
    ),
    "csrf": (
        gettext_lazy("The form has expired"),
        gettext_lazy(
            "For your security the form was not sent: the page was open too long, "
            "or you signed in or out in another tab. Go back, reload the page and "
            "send it again. Your browser must accept cookies from this site."
        ),
    ),
}


def _context(request: HttpRequest, status: int, page) -> dict:
    from django.contrib import admin

    title, message = PAGES[page]
    context = {
        "title": title,
        "message": message,
        "status": status,
        "dashboard_url": reverse("admin:index"),
    }
    try:
        # Colours, stylesheets and the site title, as on every admin page.
        context = {**admin.site.each_context(request), **context}
    except Exception:  # the site context needs the database; a 500 may mean it is down
        logger.warning("error page without the admin context", exc_info=True)
    return context


_JSON_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    500: "internal_error",
}


def _is_api(request: HttpRequest) -> bool:
    """The GraphQL endpoint answers in JSON, even when Django itself refuses a request."""
    return request.path.startswith("/graphql")


def _json_error(status: int, page) -> JsonResponse:
    if page == "csrf":
        code = "csrf_failed"
        message = _(
            "A browser session must send its CSRF token (the csrftoken cookie as the "
            "X-CSRFToken header); the phone app uses an API token instead."
        )
    else:
        code = _JSON_CODES[status]
        message = str(PAGES[status][0])
    return JsonResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status=status,
    )


def render_error(request: HttpRequest, status: int, page=None) -> HttpResponse:
    if _is_api(request):
        return _json_error(status, page or status)
    context = _context(request, status, page or status)
    return HttpResponse(render_to_string(TEMPLATE, context, request), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render_error(request, 500)
    except Exception:
        logger.exception("the 500 page could not be rendered")
        title, message = PAGES[500]
        html = (
            f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head>"
            f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f'<p><a href="/admin/">{escape(_("Back to the dashboard"))}</a></p></body></html>'
        )
        return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the reason (English, technical) goes to the log only."""
    logger.warning("csrf failure", extra={"reason": reason, "path": request.path})
    return render_error(request, 403, "csrf")
