"""Form widgets of the backoffice's own (non-model) forms."""

from __future__ import annotations

import datetime as dt

from django.forms import DateInput
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from unfold.widgets import INPUT_CLASSES


class DayFirstDateInput(DateInput):
    """A date typed and shown as ``dd-mm-yyyy``, in unfold's look.

    Not ``<input type="date">``: its value must be ``yyyy-mm-dd`` and the
    browser shows it in the browser's locale (``11/30/2026`` on an English
    one), so a day-first value would vanish and a month-first one appear.
    A value given in any accepted input format (``2026-11-30`` from a link)
    is shown back as ``30-11-2026``.
    """

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(
            attrs={
                "class": " ".join(INPUT_CLASSES),
                "placeholder": _("dd-mm-yyyy"),
                "inputmode": "numeric",
                "autocomplete": "off",
                **(attrs or {}),
            },
            format="%d-%m-%Y",
        )

    def format_value(self, value):
        if isinstance(value, str):
            value = _parse_day(value) or value
        return super().format_value(value)


def _parse_day(value: str) -> dt.date | None:
    for fmt in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None
