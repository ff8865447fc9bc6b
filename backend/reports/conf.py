"""The reports settings (``settings.LAPOR_REPORTS``), with defaults, read at call time."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "COMPLIANCE_CADENCE": "daily",
    "HEATMAP_DAYS": 30,
    "REPORT_LATE_DAYS": 7,
    "AUTO_APPROVE_KINDS": ["nihil"],
    "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 40_000_000,
    "PHOTO_MAX_PIXELS_LOSSLESS": 16_000_000,
    "PHOTO_MAX_SIDE": 2048,
    "PHOTO_MAX_COUNT": 6,
    "STAY_WARN_DAYS": 30,
    "REPORTING_SINCE": {},
}
CADENCE_DAYS = {"daily": 1, "weekly": 7}


def get(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "LAPOR_REPORTS", {})}[name]


def cadence_days() -> int:
    """Length of one expected reporting period in days (1 daily, 7 weekly)."""
    cadence = get("COMPLIANCE_CADENCE")
    try:
        return CADENCE_DAYS[cadence]
    except KeyError:
        raise ValueError(
            f"LAPOR_REPORTS['COMPLIANCE_CADENCE'] must be one of {sorted(CADENCE_DAYS)}"
        ) from None


def reporting_since() -> dict[str, date]:
    """``REPORTING_SINCE`` as ``{kelurahan code: date}`` (ISO strings or dates)."""
    out = {}
    for code, value in (get("REPORTING_SINCE") or {}).items():
        try:
            out[str(code)] = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(
                f"LAPOR_REPORTS['REPORTING_SINCE'][{code!r}] must be a date (YYYY-MM-DD)"
            ) from None
    return out
