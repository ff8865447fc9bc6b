"""What a locked-out login sees (django-axes).

The phone app's login mutation already answers with a typed ``locked_out``
error, so GraphQL keeps its own response; the admin gets a page in the
user's language, in the look of the admin's login page, saying how long the
lock lasts (``AXES_COOLOFF_TIME``).
"""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def lockout_response(request, original_response=None, credentials=None):
    if request.path_info.startswith("/graphql") and original_response is not None:
        return original_response
    from axes.helpers import get_cool_off
    from django.contrib import admin

    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Login locked"),
        "cool_off": duration_in_words(cool_off) if cool_off else "",
    }
    return render(request, "accounts/lockout.html", context, status=429)


def duration_in_words(delta: timedelta) -> str:
    """``timedelta(minutes=15)`` -> "15 menit"; "1 jam 30 menit"; at least "1 menit"."""
    minutes = max(1, round(delta.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes:
        parts.append(
            ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        )
    return " ".join(parts)
