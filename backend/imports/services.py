"""Import jobs from the web side: upload, confirm, cancel, check again, failed rows.

The heavy work runs in the background (``backend.imports.tasks``); these
services only check who may do what, record the decision on the job row and
queue the task, so no request ever reads a large file.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import record
from backend.common.errors import Code, DomainError
from backend.common.masking import mask_number
from backend.imports import runner, tasks
from backend.imports.cells import norm_key
from backend.imports.columns import is_blank, is_end
from backend.imports.exports import CONTENT_TYPES, ExportFile, write_table
from backend.imports.kinds.base import REGISTRY, get_kind
from backend.imports.models import ImportJob, ImportProblem
from backend.imports.readers import FORMATS, detect_format, open_reader
from backend.imports.resources import PERSONAL_NUMBER_KEYS
from backend.imports.selectors import import_job_get

ERROR_COLUMN = "Kesalahan"


def max_upload_bytes() -> int:
    return int(getattr(settings, "LAPOR_RT", {}).get("IMPORT_MAX_UPLOAD_MB", 60)) * 1024 * 1024


def _require_import(actor) -> None:
    if not actor.is_authenticated or not actor.scope.has(Cap.POPULATION_IMPORT):
        raise DomainError.permission_denied(_("You may not import data."))


def import_job_create(*, actor, kind: str, kelurahan, upload: UploadedFile) -> ImportJob:
    """Keep the uploaded file as a new job and queue its dry run."""
    _require_import(actor)
    try:
        kind_obj = get_kind(kind)
    except KeyError:
        raise DomainError(Code.INVALID, _("Unknown kind of import."), field="kind") from None
    if kelurahan is None or not kind_obj.kelurahan_ok(actor, kelurahan):
        raise DomainError(
            Code.OUT_OF_SCOPE,
            _("You may not import into this kelurahan."),
            field="kelurahan",
        )
    if upload.size > max_upload_bytes():
        raise DomainError(
            Code.INVALID,
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": max_upload_bytes() // (1024 * 1024)},
            field="file",
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    fmt = detect_format(upload.name or "", head)
    if fmt not in FORMATS:
        raise DomainError(
            Code.INVALID,
            _("This file type is not supported; upload XLSX, XLS, ODS or CSV."),
            field="file",
        )
    sha = runner.sha256_of(upload)
    upload.seek(0)
    job = ImportJob(
        kind=kind,
        created_by=actor,
        kelurahan=kelurahan,
        language=getattr(actor, "language", "") or get_language() or "id",
        original_name=(upload.name or "")[-255:],
        file_format=fmt,
        file_size=upload.size,
        file_sha256=sha,
        heartbeat_at=timezone.now(),
    )
    # The stored name is ours; the user's file name is only shown.
    job.file.save(f"upload.{fmt}", upload, save=False)
    job.save()
    tasks.check_import_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def import_job_confirm(*, actor, job: ImportJob, valid_only: bool = False) -> ImportJob:
    """Queue the import of a checked file; all-or-nothing unless ``valid_only``."""
    _require_import(actor)
    job = import_job_get(actor=actor, pk=job.pk)
    if not get_kind(job.kind).kelurahan_ok(actor, job.kelurahan):
        raise DomainError.permission_denied(_("You may not import into this kelurahan."))
    if job.status != ImportJob.Status.PREVIEW:
        raise DomainError("job_not_ready", _("This import is not waiting for confirmation."))
    if not valid_only and job.error_rows:
        raise DomainError(
            "job_has_errors",
            _(
                "%(count)d rows have errors. Fix them and upload the file again, or choose "
                "to import only the valid rows."
            )
            % {"count": job.error_rows},
        )
    now = timezone.now()
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.QUEUED,
        valid_only=valid_only,
        confirmed_by=actor,
        confirmed_at=now,
        heartbeat_at=now,
    )
    if not queued:
        raise DomainError("job_not_ready", _("This import is not waiting for confirmation."))
    tasks.run_import_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Drop a checked file without importing it (or a job whose worker died)."""
    _require_import(actor)
    job = import_job_get(actor=actor, pk=job.pk)
    if job.status not in (ImportJob.Status.PREVIEW, ImportJob.Status.FAILED) and not job.is_stale:
        raise DomainError("job_busy", _("This import cannot be cancelled now."))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CANCELLED,
        phase=ImportJob.Phase.FINISHED,
        finished_at=timezone.now(),
    )
    runner.discard_cache(job)
    job.refresh_from_db()
    return job


def import_job_recheck(*, actor, job: ImportJob) -> ImportJob:
    """Check the same file again (after a failure, a dead worker, or changed data)."""
    _require_import(actor)
    job = import_job_get(actor=actor, pk=job.pk)
    if not get_kind(job.kind).kelurahan_ok(actor, job.kelurahan):
        raise DomainError.permission_denied(_("You may not import into this kelurahan."))
    allowed = (ImportJob.Status.PREVIEW, ImportJob.Status.FAILED, ImportJob.Status.CANCELLED)
    if job.status not in allowed and not job.is_stale:
        raise DomainError("job_busy", _("This import is still running."))
    job.problems.all().delete()
    runner.discard_cache(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKING,
        phase=ImportJob.Phase.READING,
        rows_done=0,
        preview_counts={},
        result_counts={},
        error_rows=0,
        warning_rows=0,
        failure="",
        finished_at=None,
        heartbeat_at=timezone.now(),
    )
    tasks.check_import_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def import_failed_rows(*, actor, job: ImportJob) -> ExportFile:
    """The rows with errors, as the file had them, with an error column: fix and upload again."""
    _require_import(actor)
    job = import_job_get(actor=actor, pk=job.pk)
    messages: dict[int, list[str]] = defaultdict(list)
    for row, message in (
        job.problems.filter(severity=ImportProblem.Severity.ERROR)
        .exclude(row_number=None)
        .values_list("row_number", "message")
    ):
        if message not in messages[row]:
            messages[row].append(message)
    reveal = actor.scope.can_in_kelurahan(Cap.POPULATION_VIEW_NIK, job.kelurahan)
    kind = get_kind(job.kind)
    secret = {
        c["index"]
        for c in job.columns
        if c.get("key") in PERSONAL_NUMBER_KEYS
        or norm_key(c.get("header", "")) in ("ayahnik", "ibunik")
    }
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    count = 0
    with runner.local_file(job) as path:
        reader = open_reader(path, job.file_format)
        header: list = []
        width = 0
        rows_out = []
        sheet = job.sheet_name or reader.sheet_names()[0]
        for row_number, values in reader.rows(sheet):
            if row_number == job.header_row:
                header = [v if v is not None else "" for v in values]
                width = len(header)
                continue
            if row_number < (job.header_row or 1) or is_blank(values):
                continue
            if is_end(values):
                break
            if row_number not in messages:
                continue
            cells = list(values[:width]) + [None] * max(0, width - len(values))
            if not reveal:
                cells = [
                    mask_number(str(v)) if i in secret and v not in (None, "") else v
                    for i, v in enumerate(cells)
                ]
            rows_out.append([*cells, "; ".join(messages[row_number])])
        text_columns = [i in secret for i in range(width)] + [False]
        headers = [str(h) for h in header] + [ERROR_COLUMN]
        count = write_table(out, "xlsx", headers, rows_out, text_columns)
    out.seek(0)
    record(
        actor=actor,
        action=Action.EXPORTED,
        entity_type="imports.importjob",
        entity_id=job.pk,
        entity_label=f"{job._meta.verbose_name} {str(job.pk)[:8]}",
        snapshot={"kind": job.kind, "rows": count, "masked": not reveal, "failed_rows": True},
        kelurahan=job.kelurahan,
        note=f"{count} failed rows",
    )
    stem = kind.key.replace("_", "-")
    return ExportFile(
        file=out,
        filename=f"{stem}-baris-gagal-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
        content_type=CONTENT_TYPES["xlsx"],
        rows=count,
    )


def import_kind_choices(*, actor) -> list[tuple[str, str]]:
    from backend.imports import kinds  # noqa: F401 (registers the kinds)

    return [(k.key, k.label) for k in REGISTRY.values() if actor.scope.has(k.cap)]
