"""Lapor RT reports: compliance cadence, report dating, photo limits, stays."""

from backend.config.settings.base import env

LAPOR_REPORTS = {
    # How often an RT is expected to report: "daily" or "weekly" (Monday to Sunday).
    "COMPLIANCE_CADENCE": env.str("LAPOR_COMPLIANCE_CADENCE", default="daily"),
    # Days shown in the compliance heatmap.
    "HEATMAP_DAYS": 30,
    # How many days back a Ketua RT may date a report (a late report still counts).
    "REPORT_LATE_DAYS": 7,
    # Kinds approved on submission, with no review: "nothing to report" needs none.
    "AUTO_APPROVE_KINDS": ["nihil"],
    # Photos: accepted upload size, decoded size, stored size, count per report.
    "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 40_000_000,
    # PNG and WebP decode at full size (JPEG at a reduced scale): a lower ceiling.
    "PHOTO_MAX_PIXELS_LOSSLESS": 16_000_000,
    "PHOTO_MAX_SIDE": 2048,
    "PHOTO_MAX_COUNT": 6,
    # Flag a non-permanent stay this many days before it reaches one year.
    "STAY_WARN_DAYS": 30,
    # Since when each kelurahan uses Lapor RT, by kelurahan code ("YYYY-MM-DD"):
    # compliance counts no day before it. A kelurahan not listed uses it from its
    # RTs' first sent report; one without either is "not using Lapor RT yet".
    "REPORTING_SINCE": {},
}
