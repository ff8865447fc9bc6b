"""django-import-export widgets over ``backend.imports.cells``.

``clean`` reads one cell (raising ``CellError`` with a message for the user);
``render`` gives the export value. Export values keep their type where a
spreadsheet has one (dates) and are text everywhere else; the writers in
``backend.imports.exports`` decide how text is protected in each format.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from import_export import widgets

from backend.imports import cells
from backend.imports.readers import text_of


class TextWidget(widgets.Widget):
    def __init__(self, max_length: int | None = None) -> None:
        super().__init__(coerce_to_string=True)
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs) -> str:
        return cells.text(value, max_length=self.max_length)

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class NumberTextWidget(widgets.Widget):
    """NIK and KK numbers: text only (see ``cells.number_text``)."""

    # Columns whose values must stay text in a spreadsheet (leading zeros).
    keep_as_text = True

    def __init__(self, label: str, *, allow_zero: bool = False) -> None:
        super().__init__(coerce_to_string=True)
        self.label = label
        self.allow_zero = allow_zero

    def clean(self, value, row=None, **kwargs) -> str | None:
        return cells.number_text(value, label=str(self.label), allow_zero=self.allow_zero)

    def render(self, value, obj=None, **kwargs) -> str:
        return value or ""


class PhoneWidget(widgets.Widget):
    keep_as_text = True

    def clean(self, value, row=None, **kwargs) -> tuple[str, str | None]:
        return cells.phone(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return value or ""


class DigitsTextWidget(TextWidget):
    """Short codes typed as digits (postal code): kept as text."""

    keep_as_text = True


class CodeWidget(widgets.Widget):
    def __init__(self, table: cells.CodeTable) -> None:
        super().__init__(coerce_to_string=True)
        self.table = table

    def clean(self, value, row=None, **kwargs) -> int | None:
        return self.table.parse(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return self.table.render(value)


class DateWidget(widgets.Widget):
    """Dates, day first; exported as a real date (the writers format it)."""

    def __init__(self) -> None:
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs) -> dt.date | None:
        return cells.date(value)

    def render(self, value, obj=None, **kwargs) -> dt.date | None:
        return value


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> bool | None:
        return cells.boolean(value)

    def render(self, value, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        return "Ya" if value else "Tidak"


class RtWidget(widgets.Widget):
    """An RT number (``003``, ``RT 3``, ``003/005``); exported as ``003``."""

    keep_as_text = True

    def clean(self, value, row=None, **kwargs) -> tuple[int, int | None] | None:
        return cells.rt_rw(value)

    def render(self, value: Any, obj=None, **kwargs) -> str:
        if value is None or value == "":
            return ""
        number = getattr(value, "number", value)
        return f"{int(number):03d}"


class RwWidget(RtWidget):
    def clean(self, value, row=None, **kwargs) -> int | None:
        return cells.rw(value)


class ExportOnlyWidget(widgets.Widget):
    """A column written on export and ignored on import (member counts, head's name)."""

    def clean(self, value, row=None, **kwargs) -> None:
        return None

    def render(self, value, obj=None, **kwargs) -> Any:
        if isinstance(value, bool):
            return "Ya" if value else "Tidak"
        return "" if value is None else value


# -- report columns ------------------------------------------------------------------


class LongTextWidget(TextWidget):
    """Descriptions and notes: kept as written (line breaks too), only trimmed."""

    def clean(self, value, row=None, **kwargs) -> str:
        if cells.is_empty(value):
            return ""
        text = value if isinstance(value, str) else text_of(value)
        result = text.replace("\r\n", "\n").strip()
        if self.max_length is not None and len(result) > self.max_length:
            return cells.text(result, max_length=self.max_length)
        return result


class CountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> int | None:
        return cells.count(value)

    def render(self, value, obj=None, **kwargs) -> Any:
        return "" if value is None else value


class RupiahWidget(CountWidget):
    def clean(self, value, row=None, **kwargs) -> int | None:
        return cells.rupiah(value)


class TimeWidget(widgets.Widget):
    """A time of day; exported as text ``08:30`` (Excel reads it as a time)."""

    def clean(self, value, row=None, **kwargs) -> dt.time | None:
        return cells.time_of_day(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return f"{value:%H:%M}" if value else ""


class LabelWidget(widgets.Widget):
    """A text code through a ``report_codes.LabelTable``."""

    def __init__(self, table) -> None:
        super().__init__(coerce_to_string=True)
        self.table = table

    def clean(self, value, row=None, **kwargs) -> str | None:
        return self.table.parse(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return self.table.render(value)


class LabelListWidget(LabelWidget):
    """Several codes in one cell, separated by commas, semicolons or line breaks."""

    def clean(self, value, row=None, **kwargs) -> list[str] | None:
        if cells.is_empty(value):
            return None
        parts = [p for p in re.split(r"[,;\n/]+| dan ", text_of(value)) if p.strip()]
        return sorted({self.table.parse(p.strip()) for p in parts})

    def render(self, value, obj=None, **kwargs) -> str:
        return ", ".join(self.table.render(v) for v in value or [])


class ReportIdWidget(widgets.Widget):
    """A report number as the export writes it (``12``), or as people type it (``#12``)."""

    def clean(self, value, row=None, **kwargs) -> int | None:
        if cells.is_empty(value):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if float(value).is_integer() and value > 0:
                return int(value)
        else:
            match = re.fullmatch(r"(?:laporan\s*)?#?\s*(\d{1,12})", str(value).strip().lower())
            if match and int(match.group(1)) > 0:
                return int(match.group(1))
        raise cells.CellError(
            "invalid",
            _("“%(value)s” is not a report number.") % {"value": text_of(value)},
        )

    def render(self, value, obj=None, **kwargs) -> Any:
        return "" if value is None else value


class Masked(str):
    """A number a masked export wrote (``647104********0001``): comparable, never stored."""


class MaskableNumberWidget(NumberTextWidget):
    """A NIK column of a report file: a masked number is kept aside as :class:`Masked`,
    so that re-importing a masked export of existing reports changes nothing."""

    def clean(self, value, row=None, **kwargs) -> str | None:
        try:
            return super().clean(value, row, **kwargs)
        except cells.CellError as exc:
            if exc.code == "masked":
                return Masked(text_of(value).strip().lstrip("'"))
            raise
