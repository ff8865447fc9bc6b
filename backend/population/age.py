"""Age bands, defined once for admin filters, GraphQL aggregates and dashboards.

Bands follow the groups kelurahan reports use: balita, school age,
youth, working age, pre-elderly and lansia. Ages are whole years on the
given day in WITA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    min_age: int
    max_age: int | None  # inclusive; None for open-ended


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("0-4", _("0-4 (balita)"), 0, 4),
    AgeBand("5-14", _("5-14 (school age)"), 5, 14),
    AgeBand("15-24", _("15-24 (youth)"), 15, 24),
    AgeBand("25-44", _("25-44"), 25, 44),
    AgeBand("45-59", _("45-59"), 45, 59),
    AgeBand("60+", _("60+ (lansia)"), 60, None),
)
AGE_BANDS_BY_KEY = {b.key: b for b in AGE_BANDS}


def today_wita() -> date:
    return timezone.localdate()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band_q(band: AgeBand, *, today: date | None = None, path: str = "birth_date") -> Q:
    """Residents whose age on ``today`` falls in ``band``."""
    today = today or today_wita()
    # age >= min  <=>  born on or before today - min years
    q = Q(**{f"{path}__lte": _years_before(today, band.min_age)})
    if band.max_age is not None:
        # age <= max  <=>  born after today - (max + 1) years
        q &= Q(**{f"{path}__gt": _years_before(today, band.max_age + 1)})
    return q


def age_band_case(*, today: date | None = None, path: str = "birth_date") -> Case:
    """An SQL expression giving each resident's band key."""
    today = today or today_wita()
    return Case(
        *[When(age_band_q(b, today=today, path=path), then=Value(b.key)) for b in AGE_BANDS],
        default=Value("?"),
        output_field=CharField(),
    )
