"""Import jobs: the uploaded file, its preview, its run, and every problem found.

A job moves upload > checking (the dry run, in the background) > preview >
queued > running > done, or ends in failed/cancelled. Rows of the file are
never stored here: the file itself is kept (for the failed-rows download),
along with the parsed rows of the dry run, which the run reuses.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _


def upload_path(job: ImportJob, filename: str) -> str:
    return f"imports/{job.pk}/{filename[-100:]}"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", _("checking")
        PREVIEW = "preview", _("ready to confirm")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Phase(models.TextChoices):
        READING = "reading", _("reading the file")
        CHECKING = "checking", _("checking the rows")
        WRITING = "writing", _("saving")
        FINISHED = "finished", _("finished")

    ACTIVE = (Status.CHECKING, Status.QUEUED, Status.RUNNING)
    # A worker that has not reported for this long has died (killed, host restarted).
    STALE_AFTER = timedelta(minutes=10)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=30)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CHECKING
    )
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.READING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    kelurahan = models.ForeignKey(
        "wilayah.Kelurahan",
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("kelurahan"),
        help_text=_("Rows without a kelurahan column belong to this kelurahan."),
    )
    language = models.CharField(_("language"), max_length=8, default="id")

    file = models.FileField(_("file"), upload_to=upload_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_description = models.CharField(_("file type"), max_length=80, blank=True)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    # [{"index": 0, "header": "NIK", "field": "nik", "state": "used|ignored|unknown|duplicate"}]
    columns = models.JSONField(_("columns"), default=list, blank=True)

    valid_only = models.BooleanField(
        _("import only the valid rows"),
        default=False,
        help_text=_("Otherwise nothing is imported while any row has an error."),
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    # {"rows": {"new": .., "updated": .., "unchanged": .., "invalid": .., "warnings": ..},
    #  "households": {...}}
    preview_counts = models.JSONField(_("preview"), default=dict, blank=True)
    result_counts = models.JSONField(_("result"), default=dict, blank=True)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    warning_rows = models.PositiveIntegerField(_("rows with warnings"), default=0)
    failure = models.TextField(_("failure"), blank=True)

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kelurahan", "-created_at"], name="import_job_kel_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_stale(self) -> bool:
        """The worker stopped reporting: it died mid-run (the transaction was rolled back)."""
        if not self.is_active or self.status == self.Status.QUEUED:
            return False
        beat = self.heartbeat_at or self.created_at
        return timezone.now() - beat > self.STALE_AFTER

    @property
    def parsed_path(self) -> str:
        return f"imports/{self.pk}/parsed.jsonl"

    def progress(self) -> dict:
        """Rows done, rows per second and seconds left, for the progress bar."""
        if self.status == self.Status.QUEUED:
            return {
                "status": self.status,
                "status_label": str(self.get_status_display()),
                "phase": "waiting",
                "phase_label": str(_("waiting for the background worker")),
                "rows_done": 0,
                "total_rows": self.total_rows,
                "percent": 0,
                "rows_per_second": 0.0,
                "seconds_left": None,
                "active": True,
                "stale": False,
            }
        now = timezone.now()
        elapsed = (now - self.phase_started_at).total_seconds() if self.phase_started_at else 0
        rate = self.rows_done / elapsed if elapsed > 0 and self.rows_done else 0.0
        left = (self.total_rows - self.rows_done) / rate if rate and self.total_rows else None
        percent = round(100 * self.rows_done / self.total_rows) if self.total_rows else 0
        return {
            "status": self.status,
            "status_label": str(self.get_status_display()),
            "phase": self.phase,
            "phase_label": str(self.get_phase_display()),
            "rows_done": self.rows_done,
            "total_rows": self.total_rows,
            "percent": min(percent, 100),
            "rows_per_second": round(rate, 1),
            "seconds_left": round(left) if left is not None else None,
            "text": progress_text(self.rows_done, self.total_rows, rate, left),
            "active": self.is_active and not self.is_stale,
            "stale": self.is_stale,
        }


def _number(value: float, decimals: int = 0) -> str:
    return number_format(round(value, decimals), decimals, force_grouping=True)


def duration_text(seconds: float) -> str:
    """``40 detik``, ``3 menit 5 detik``, ``1 jam 12 menit``: a time left, read at a glance."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return str(_("%(s)d s") % {"s": seconds})
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return str(_("%(m)d min %(s)d s") % {"m": minutes, "s": seconds})
    hours, minutes = divmod(minutes, 60)
    return str(_("%(h)d h %(m)d min") % {"h": hours, "m": minutes})


def progress_text(done: int, total: int, rate: float, left: float | None) -> str:
    """``1.200 dari 5.000 baris · 350,5 baris/detik · sekitar 10 detik lagi``."""
    if total:
        parts = [_("%(done)s of %(total)s rows") % {"done": _number(done), "total": _number(total)}]
    else:
        parts = [_("%(done)s rows") % {"done": _number(done)}]
    if rate:
        parts.append(_("%(rate)s rows/s") % {"rate": _number(rate, 1)})
    if left is not None:
        parts.append(_("about %(left)s left") % {"left": duration_text(left)})
    return " · ".join(str(p) for p in parts)


class ImportProblem(models.Model):
    """One error or warning, tied to a row and column of the file as the user sees them."""

    class Severity(models.TextChoices):
        ERROR = "error", _("error")
        WARNING = "warning", _("warning")

    class Stage(models.TextChoices):
        FILE = "file", _("reading the file")
        CHECK = "check", _("checking the rows")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.CHECK)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=200, blank=True)
    field = models.CharField(max_length=60, blank=True)
    value = models.CharField(_("value"), max_length=255, blank=True)
    code = models.CharField(_("code"), max_length=60)
    message = models.TextField(_("message"))

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["row_number", "id"]
        indexes = [
            models.Index(fields=["job", "severity", "row_number"], name="import_problem_idx")
        ]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"
