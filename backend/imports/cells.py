"""Reading one cell: text, NIK/KK numbers, SIAK codes, dates, yes/no, RT numbers.

Each function takes the value as the reader typed it and returns the clean
Python value, or raises :class:`CellError` with an Indonesian (or English)
message that tells the user what to fix. Pure functions; the import-export
widgets in ``backend.imports.widgets`` wrap them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from backend.common.masking import MASK_CHAR
from backend.imports.readers import text_of
from backend.population.identity import clean_number_text

# Values that mean "nothing here" in the sheets people send.
_EMPTY_MARKERS = frozenset({"", "-", "--", "—", "n/a", "#n/a", "null", "none"})


class CellError(ValueError):
    """One cell cannot be read; ``code`` is stable, ``message`` is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and value.strip().lower() in _EMPTY_MARKERS


def norm_key(value: Any) -> str:
    """Letters and digits only, lower case: how headers and labels are compared."""
    return re.sub(r"[^0-9a-z]", "", str(value).lower())


def word_key(value: Any) -> str:
    """Lower-case words, punctuation read as a word break: how coded values are compared.

    Unlike ``norm_key`` it keeps word boundaries, so the SIAK label
    "Diploma I/II" ("diploma i ii") never reads as "Diploma III".
    """
    return " ".join(re.split(r"[^0-9a-z]+", str(value).lower())).strip()


# -- text -----------------------------------------------------------------------


def text(value: Any, *, max_length: int | None = None) -> str:
    """Free text (names, places, addresses) with whitespace tidied."""
    if is_empty(value):
        return ""
    result = " ".join(value.split()) if isinstance(value, str) else text_of(value)
    if max_length is not None and len(result) > max_length:
        raise CellError(
            "too_long",
            _("The text is %(length)d characters long; at most %(max)d fit.")
            % {"length": len(result), "max": max_length},
        )
    return result


def phone(value: Any) -> tuple[str, str | None]:
    """A phone number kept as text; a number cell is accepted with a warning."""
    if is_empty(value):
        return "", None
    if isinstance(value, bool):
        raise CellError("invalid", _("This is not a phone number."))
    if isinstance(value, int | float):
        digits = text_of(value)
        return digits, str(
            _(
                "The phone number was stored as a number, so a leading 0 may have been "
                "lost; format the column as Text."
            )
        )
    result = re.sub(r"[\s.\-()]", "", str(value).strip())
    if not re.fullmatch(r"\+?\d{6,15}", result):
        raise CellError("invalid", _("A phone number may contain digits only (and a leading +)."))
    return result, None


# -- NIK and KK numbers -----------------------------------------------------------

_SCIENTIFIC = re.compile(r"^\s*[+-]?\d+([.,]\d+)?\s*[eE]\s*[+-]?\d+\s*$")
_DECIMAL_TAIL = re.compile(r"^\s*'?\d+[.,]0+\s*$")
# How people write "this number is text" in CSV: ="6471..." (Excel's trick).
_FORMULA_TEXT = re.compile(r'^\s*="(.*)"\s*$')


def number_text(value: Any, *, label: str, allow_zero: bool = False) -> str | None:
    """A 16-digit number that must have been typed as text (NIK, no. KK).

    Returns the cleaned digits, or None when the cell is empty (or ``0``
    where ``allow_zero``: OpenSID's placeholder for "no NIK yet"). The digit
    rules themselves are checked by ``backend.population.identity``.
    """
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(
            "invalid", _("%(label)s must be a number written as text.") % {"label": label}
        )
    if isinstance(value, int | float):
        if allow_zero and value == 0:
            return None
        raise CellError(
            "number_cell",
            _(
                "%(label)s is stored as a number, not as text. Excel keeps only 15 digits "
                "of a number, so a 16-digit %(label)s may already have lost its last digit. "
                "Format the column as Text and type the number again."
            )
            % {"label": label},
        )
    if isinstance(value, dt.date):
        raise CellError("invalid", _("%(label)s holds a date, not a number.") % {"label": label})
    raw = str(value)
    formula = _FORMULA_TEXT.match(raw)
    if formula:
        raw = formula.group(1)
    if _SCIENTIFIC.match(raw):
        raise CellError(
            "scientific",
            _(
                "%(label)s is written in scientific notation (%(value)s): the spreadsheet "
                "turned it into a number and the last digits are lost. Format the column as "
                "Text and type the number again."
            )
            % {"label": label, "value": raw.strip()},
        )
    if _DECIMAL_TAIL.match(raw):
        raise CellError(
            "decimal",
            _(
                "%(label)s ends in a decimal part (%(value)s): it was saved as a number. "
                "Format the column as Text and type the number again."
            )
            % {"label": label, "value": raw.strip()},
        )
    if MASK_CHAR in raw:
        raise CellError(
            "masked",
            _(
                "%(label)s is masked (digits hidden with *), as in an export without full "
                "numbers. Export again with full numbers to re-import, or type the number."
            )
            % {"label": label},
        )
    cleaned = clean_number_text(raw)
    if allow_zero and cleaned.strip("0") == "" and cleaned:
        return None
    return cleaned


# -- SIAK codes -----------------------------------------------------------------


class CodeTable:
    """A code list read from its SIAK number, its label, or a usual short form."""

    def __init__(
        self,
        choices: Iterable[tuple[int, str]],
        aliases: Mapping[str, int] | None = None,
        *,
        empty_codes: Iterable[int] = (0,),
    ) -> None:
        self.labels = {int(code): str(label) for code, label in choices}
        spellings = [*((label, code) for code, label in self.labels.items())]
        spellings += list((aliases or {}).items())
        # Words first ("diploma i ii" is not "diploma iii"); then the same without
        # spaces ("lakilaki", "tidak/belum"), only where that cannot mean two codes.
        self.lookup: dict[str, int] = {word_key(text): code for text, code in spellings}
        compact: dict[str, set[int]] = {}
        for text, code in spellings:
            compact.setdefault(norm_key(text), set()).add(code)
        self.compact = {key: found.pop() for key, found in compact.items() if len(found) == 1}
        self.empty_codes = frozenset(empty_codes)

    def parse(self, value: Any) -> int | None:
        if is_empty(value):
            return None
        if isinstance(value, bool):
            raise self._error(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            return self._by_number(value)
        raw = str(value).strip()
        if re.fullmatch(r"\d+(\.0+)?", raw):
            return self._by_number(int(float(raw)))
        found = self.lookup.get(word_key(raw))
        if found is None:
            found = self.compact.get(norm_key(raw))
        if found is not None:
            return found
        raise self._error(raw)

    def _by_number(self, number: int) -> int | None:
        if number in self.labels:
            return number
        if number in self.empty_codes:
            return None
        raise self._error(number)

    def _error(self, value: Any) -> CellError:
        shown = ", ".join(f"{code} {label}" for code, label in list(self.labels.items())[:13])
        more = "…" if len(self.labels) > 13 else ""
        return CellError(
            "unknown_code",
            _("“%(value)s” is not a known value. Use the code or the name: %(choices)s%(more)s.")
            % {"value": text_of(value), "choices": shown, "more": more},
        )

    def render(self, code: int | None) -> str:
        return "" if code is None else self.labels.get(int(code), str(code))


# -- dates ------------------------------------------------------------------------

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agst": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/\-.](\d{1,2})[/\-.](\d{1,4})$")
_NAMED_DATE = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{2,4})$")
# Excel serials from 1900-01-01 up to 2099-12-31.
_SERIAL_MIN, _SERIAL_MAX = 1, 73415


def _two_digit_year(yy: int, today: dt.date) -> int:
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def _build(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(
            "invalid_date",
            _("%(day)02d-%(month)02d-%(year)d is not a real date.")
            % {"day": day, "month": month, "year": year},
        ) from None


def date(value: Any, *, today: dt.date | None = None) -> dt.date | None:
    """A date, day first always: date cells, Excel serials, 17/08/1975, 1975-08-17,
    17-08-1975, 17 Agustus 1975, 17 Agt 1975."""
    if is_empty(value):
        return None
    today = today or dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _date_error(value)
    if isinstance(value, int | float):
        return _serial(value)
    raw = " ".join(str(value).strip().lower().split())
    # "1975-08-17 00:00:00" from database exports
    raw = re.sub(r"[ t]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", raw)
    if re.fullmatch(r"\d{1,5}(\.\d+)?", raw):
        return _serial(float(raw))
    match = _NUMERIC_DATE.match(raw)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:  # year first: 1975-08-17
            return _build(int(a), int(b), int(c))
        if len(c) == 4:
            return _build(int(c), int(b), int(a))
        if len(c) == 2:
            return _build(_two_digit_year(int(c), today), int(b), int(a))
        raise _date_error(value)
    match = _NAMED_DATE.match(raw)
    if match:
        day, month_name, year = match.groups()
        month = MONTHS.get(month_name)
        if month is None:
            raise _date_error(value)
        year_number = int(year)
        if len(year) == 2:
            year_number = _two_digit_year(year_number, today)
        elif len(year) != 4:
            raise _date_error(value)
        return _build(year_number, month, int(day))
    raise _date_error(value)


def _serial(number: float) -> dt.date:
    if not _SERIAL_MIN <= number <= _SERIAL_MAX:
        raise _date_error(number)
    if 1800 <= number <= 2100 and float(number).is_integer():
        # "1975" is a year, not Excel day 1975 (a date in 1905).
        raise _date_error(int(number))
    day = int(number)
    # Excel counts 1900-02-29, which never existed.
    if day > 59:
        day -= 1
    return dt.date(1899, 12, 31) + dt.timedelta(days=day)


def _date_error(value: Any) -> CellError:
    return CellError(
        "invalid_date",
        _(
            "“%(value)s” is not a date. Write the day first: 17-08-1975, 17/08/1975 "
            "or 17 Agustus 1975."
        )
        % {"value": text_of(value)},
    )


# -- yes/no ---------------------------------------------------------------------

_YES = frozenset({"ya", "y", "yes", "true", "benar", "sudah", "1", "aktif", "tercatat"})
_NO = frozenset({"tidak", "t", "tdk", "no", "n", "false", "salah", "belum", "0", "tidakaktif"})


def boolean(value: Any) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    key = norm_key(value)
    if key in _YES:
        return True
    if key in _NO or key.startswith("belum"):
        return False
    raise CellError(
        "invalid_boolean", _("“%(value)s” is not Ya or Tidak.") % {"value": text_of(value)}
    )


# -- RT and RW ---------------------------------------------------------------------

_RT_TEXT = re.compile(r"^(?:rt\.?\s*)?0*(\d{1,3})(?:\s*/\s*(?:rw\.?\s*)?0*(\d{0,3}))?$")


def rt_rw(value: Any) -> tuple[int, int | None] | None:
    """``003``, ``3``, ``RT 003``, ``RT.03``, ``003/005`` (RT/RW) -> (rt, rw or None)."""
    if is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and value > 0:
            return int(value), None
        raise _rt_error(value)
    match = _RT_TEXT.match(str(value).strip().lower())
    if not match or int(match.group(1)) == 0:
        raise _rt_error(value)
    rw = int(match.group(2)) if match.group(2) else None
    return int(match.group(1)), (rw or None)


def rw(value: Any) -> int | None:
    if is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) or None
    match = re.fullmatch(r"(?:rw\.?\s*)?0*(\d{0,3})", str(value).strip().lower())
    if not match:
        raise CellError("invalid", _("“%(value)s” is not an RW number.") % {"value": value})
    return int(match.group(1)) if match.group(1) else None


def _rt_error(value: Any) -> CellError:
    return CellError(
        "invalid_rt",
        _("“%(value)s” is not an RT number; write it like 003 or 3.") % {"value": text_of(value)},
    )


# -- counts, rupiah, times (reports) -------------------------------------------------

_COUNT = re.compile(r"^(\d{1,9})(?:[.,]0+)?\s*(?:orang|org|peserta|warga|kk)?\.?$")


def count(value: Any) -> int | None:
    """A whole number of people: ``24``, ``24 orang``, a number cell."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise _count_error(value)
    if isinstance(value, int | float):
        if float(value).is_integer() and value >= 0:
            return int(value)
        raise _count_error(value)
    match = _COUNT.match(str(value).strip().lower())
    if not match:
        raise _count_error(value)
    return int(match.group(1))


def _count_error(value: Any) -> CellError:
    return CellError(
        "invalid_number",
        _("“%(value)s” is not a whole number; write it like 24.") % {"value": text_of(value)},
    )


_RUPIAH_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
# 1.500.000 / 1.500.000,00 / 1500000 / 1500000,00 (Indonesian: "." groups thousands).
_RUPIAH = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$")


def rupiah(value: Any) -> int | None:
    """An amount in whole rupiah: ``Rp 1.500.000``, ``1.500.000,00``, ``1500000``."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise _rupiah_error(value)
    if isinstance(value, int | float):
        if value < 0 or not float(value).is_integer():
            raise _rupiah_error(value)
        return int(value)
    raw = _RUPIAH_PREFIX.sub("", str(value).strip()).replace(" ", "").removesuffix(",-")
    match = _RUPIAH.match(raw)
    if not match or (match.group(2) and int(match.group(2))):
        raise _rupiah_error(value)
    return int(match.group(1).replace(".", ""))


def _rupiah_error(value: Any) -> CellError:
    return CellError(
        "invalid_amount",
        _("“%(value)s” is not an amount in rupiah; write it like 1500000 or Rp 1.500.000.")
        % {"value": text_of(value)},
    )


_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})(?::\d{2})?\s*(?:wita|wib|wit)?$")


def time_of_day(value: Any) -> dt.time | None:
    """A time: a time cell, ``08.30``, ``8:30``, ``08.30 WITA``; also the number Excel makes
    of ``08.30`` typed in a General cell (8.3)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, bool | dt.date):
        raise _time_error(value)
    if isinstance(value, int | float):
        if 0 < value < 1:  # Excel's fraction of a day
            minutes = round(value * 24 * 60)
            return _clock(minutes // 60, minutes % 60, value)
        if 0 <= value < 24:
            hours = int(value)
            return _clock(hours, round((value - hours) * 100), value)
        raise _time_error(value)
    match = _TIME.match(str(value).strip().lower())
    if not match:
        raise _time_error(value)
    return _clock(int(match.group(1)), int(match.group(2)), value)


def _clock(hours: int, minutes: int, value: Any) -> dt.time:
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise _time_error(value)
    return dt.time(hours, minutes)


def _time_error(value: Any) -> CellError:
    return CellError(
        "invalid_time",
        _("“%(value)s” is not a time; write it like 08.30.") % {"value": text_of(value)},
    )
