"""NIK and KK number rules (DOMAIN.md a and b), as pure functions.

Hard errors refuse the value; soft warnings are shown and never refuse,
because a NIK is for life and legitimately disagrees with later data (a
corrected birth date, an old kecamatan code from before a split). The
uniqueness of a NIK needs the database and lives in the services.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from backend.common.errors import Problem
from backend.population import codes

# Province codes in use (Kemendagri, including the 2022 Papua provinces).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36", "51", "52", "53",
        "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76",
        "81", "82", "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip

_DIGITS = re.compile(r"^\d+$")


class NikCode:
    LENGTH = "nik_length"
    NOT_DIGITS = "nik_not_digits"
    PROVINCE = "nik_province"
    REGION_ZERO = "nik_region_zero"
    DAY = "nik_day"
    MONTH = "nik_month"
    DATE = "nik_date"
    SERIAL = "nik_serial"
    DUPLICATE = "nik_duplicate"
    SEX_MISMATCH = "nik_sex_mismatch"
    BIRTH_DATE_MISMATCH = "nik_birth_date_mismatch"
    OLD_KECAMATAN = "nik_old_kecamatan"


class KkCode:
    LENGTH = "kk_length"
    NOT_DIGITS = "kk_not_digits"
    DATE = "kk_date"
    FUTURE = "kk_future"
    SERIAL = "kk_serial"
    DUPLICATE = "kk_duplicate"
    UNKNOWN_REGION = "kk_unknown_region"


def _valid_date_in_some_century(day: int, month: int, yy: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def _shape_problems(value: str, field: str, *, label: str, codes_: type) -> list[Problem]:
    if not _DIGITS.match(value):
        return [
            Problem(
                codes_.NOT_DIGITS,
                _("%(label)s may contain digits only.") % {"label": label},
                field,
            )
        ]
    if len(value) != 16:
        return [
            Problem(
                codes_.LENGTH,
                _("%(label)s must be exactly 16 digits; %(count)d were given.")
                % {"label": label, "count": len(value)},
                field,
            )
        ]
    return []


def nik_errors(nik: str, field: str = "nik") -> list[Problem]:
    """Hard errors for a NIK written as text; an empty list when it is well formed."""
    problems = _shape_problems(nik, field, label="NIK", codes_=NikCode)
    if problems:
        return problems
    if nik[:2] not in PROVINCE_CODES:
        problems.append(
            Problem(
                NikCode.PROVINCE,
                _("NIK digits 1-2 (%(code)s) are not a province code.") % {"code": nik[:2]},
                field,
            )
        )
    if nik[2:4] == "00" or nik[4:6] == "00":
        problems.append(
            Problem(
                NikCode.REGION_ZERO,
                _("NIK digits 3-6 (kota and kecamatan code) cannot contain 00."),
                field,
            )
        )
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    day_ok = 1 <= day <= 31 or 41 <= day <= 71
    if not day_ok:
        problems.append(
            Problem(
                NikCode.DAY,
                _(
                    "NIK digits 7-8 (day of birth) must be 01-31, or 41-71 for women; "
                    "they are %(day)s."
                )
                % {"day": nik[6:8]},
                field,
            )
        )
    if not 1 <= month <= 12:
        problems.append(
            Problem(
                NikCode.MONTH,
                _("NIK digits 9-10 (month of birth) must be 01-12; they are %(month)s.")
                % {"month": nik[8:10]},
                field,
            )
        )
    if day_ok and 1 <= month <= 12:
        real_day = day - 40 if day > 40 else day
        if not _valid_date_in_some_century(real_day, month, yy):
            problems.append(
                Problem(
                    NikCode.DATE,
                    _("NIK digits 7-12 (%(digits)s) are not a real date of birth.")
                    % {"digits": nik[6:12]},
                    field,
                )
            )
    if nik[12:] == "0000":
        problems.append(
            Problem(NikCode.SERIAL, _("NIK digits 13-16 (serial number) cannot be 0000."), field)
        )
    return problems


def nik_warnings(
    nik: str,
    *,
    sex: int | None,
    birth_date: date | None,
    known_kecamatan_prefixes: frozenset[str] | None = None,
    field: str = "nik",
) -> list[Problem]:
    """Soft warnings for a well-formed NIK: shown to the user, never refused."""
    warnings: list[Problem] = []
    day = int(nik[6:8])
    nik_sex = codes.Sex.FEMALE if day > 40 else codes.Sex.MALE
    if sex is not None and sex != nik_sex:
        warnings.append(
            Problem(
                NikCode.SEX_MISMATCH,
                _(
                    "NIK day %(day)s means %(nik_sex)s (women have 40 added to the day), "
                    "but the sex entered is %(sex)s."
                )
                % {
                    "day": nik[6:8],
                    "nik_sex": codes.Sex(nik_sex).label,
                    "sex": codes.Sex(sex).label,
                },
                field,
            )
        )
    if birth_date is not None:
        real_day = day - 40 if day > 40 else day
        if (real_day, int(nik[8:10]), int(nik[10:12])) != (
            birth_date.day,
            birth_date.month,
            birth_date.year % 100,
        ):
            warnings.append(
                Problem(
                    NikCode.BIRTH_DATE_MISMATCH,
                    _(
                        "NIK digits 7-12 (%(digits)s) do not match the date of birth "
                        "%(birth_date)s. A NIK is never reissued, so this may be correct."
                    )
                    % {"digits": nik[6:12], "birth_date": birth_date.strftime("%d-%m-%Y")},
                    field,
                )
            )
    if known_kecamatan_prefixes is not None:
        prefix = nik[:6]
        kota_prefix = nik[:4]
        known_kota = {p[:4] for p in known_kecamatan_prefixes}
        # Only judge kota whose kecamatan we know; elsewhere we cannot tell.
        if kota_prefix in known_kota and prefix not in known_kecamatan_prefixes:
            warnings.append(
                Problem(
                    NikCode.OLD_KECAMATAN,
                    _(
                        "NIK digits 1-6 (%(prefix)s) are not a current kecamatan code; "
                        "an old code from before a kecamatan split is legitimate."
                    )
                    % {"prefix": prefix},
                    field,
                )
            )
    return warnings


def kk_errors(no_kk: str, field: str = "no_kk", *, today: date | None = None) -> list[Problem]:
    """Hard errors for a KK number written as text."""
    problems = _shape_problems(no_kk, field, label=_("KK number"), codes_=KkCode)
    if problems:
        return problems
    day, month, yy = int(no_kk[6:8]), int(no_kk[8:10]), int(no_kk[10:12])
    today = today or date.today()
    try:
        # A KK is never recorded in the future: take the latest century that is not.
        issued = date(2000 + yy, month, day)
        if issued > today:
            issued = date(1900 + yy, month, day)
    except ValueError:
        problems.append(
            Problem(
                KkCode.DATE,
                _("KK number digits 7-12 (%(digits)s) are not a real date of recording.")
                % {"digits": no_kk[6:12]},
                field,
            )
        )
    if no_kk[12:] == "0000":
        problems.append(
            Problem(
                KkCode.SERIAL, _("KK number digits 13-16 (serial number) cannot be 0000."), field
            )
        )
    return problems


def kk_warnings(
    no_kk: str,
    *,
    known_kecamatan_prefixes: frozenset[str] | None = None,
    field: str = "no_kk",
) -> list[Problem]:
    warnings: list[Problem] = []
    prefix = no_kk[:6]
    unknown_province = no_kk[:2] not in PROVINCE_CODES or "00" in (no_kk[2:4], no_kk[4:6])
    known_kota = {p[:4] for p in (known_kecamatan_prefixes or ())}
    unknown_kecamatan = no_kk[:4] in known_kota and prefix not in (known_kecamatan_prefixes or ())
    if unknown_province or unknown_kecamatan:
        warnings.append(
            Problem(
                KkCode.UNKNOWN_REGION,
                _("KK number digits 1-6 (%(prefix)s) are not a known region code.")
                % {"prefix": prefix},
                field,
            )
        )
    return warnings


def clean_number_text(value: object) -> str:
    """Strip what people type around a NIK or KK number kept as text.

    Removes apostrophes (Excel's text marker), spaces, dots and dashes. A
    value that is not text (a number cell) is not cleaned here: imports
    refuse it, because Excel may already have lost digits.
    """
    text = str(value).strip()
    return re.sub(r"[\s'.\-‘’`]", "", text)
