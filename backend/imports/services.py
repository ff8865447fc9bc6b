"""Import jobs from the web side: upload, confirm, cancel, check again, failed rows.

The heavy work runs in the background (``backend.imports.tasks``); these
services only check who may do what, record the decision on the job row and
queue the task, so no request ever reads a large file.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

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
from backend.imports.readers import (
    FORMATS,
    UnreadableFile,
    check_archive,
    detect_format,
    open_reader,
    text_of,
)
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
    if fmt in ("xlsx", "ods"):
        _check_archive_upload(upload)
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


def _check_archive_upload(upload: UploadedFile) -> None:
    """Refuse a zip bomb at once: only the archive's directory is read, nothing unpacked.

    The worker checks again before parsing (``readers.check_archive``), for a
    file checked again after the limits changed.
    """
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            check_archive(archive)
    except zipfile.BadZipFile:
        pass  # the worker reports an unreadable file, with the job to show it
    except UnreadableFile as exc:
        raise DomainError(Code.INVALID, exc.message, field="file") from None
    finally:
        upload.seek(0)


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


# Indonesian file names of the failed-rows file, by kind.
FILE_STEMS = {
    "residents": "warga",
    "households": "kk",
    "rt_list": "daftar-rt",
    "reports": "laporan",
}


def max_failed_rows() -> int:
    return int(getattr(settings, "LAPOR_RT", {}).get("IMPORT_MAX_FAILED_ROWS", 20_000))


def join_messages(messages: Iterable[str]) -> str:
    """Messages as one text: each a sentence ending in its own stop, none twice, no ".;"."""
    out: list[str] = []
    for message in messages:
        text = " ".join(str(message).split())
        if not text:
            continue
        if text[-1] not in '.!?…)”"':
            text += "."
        if text not in out:
            out.append(text)
    return " ".join(out)


def _row_messages(job: ImportJob) -> Iterator[tuple[int, str]]:
    """(row number, its errors as one text), in row order, read from the database in batches."""
    problems = (
        job.problems.filter(severity=ImportProblem.Severity.ERROR)
        .exclude(row_number=None)
        .order_by("row_number", "id")
        .values_list("row_number", "message")
    )
    for row, group in groupby(problems.iterator(chunk_size=2000), key=itemgetter(0)):
        yield row, join_messages(message for _row, message in group)


def import_failed_rows(*, actor, job: ImportJob) -> ExportFile:
    """The rows with errors, as the file had them, with an error column: fix and upload again.

    Bounded: the problems and the file are both read in row order and merged,
    and the workbook is written in streaming mode to a temporary file that
    spills to disk, so a 100,000-row file of invalid rows never sits in
    memory; past ``IMPORT_MAX_FAILED_ROWS`` rows a last row says how many
    were left out. Every cell is written back as text (a NIK keeps its
    digits, ``003`` stays ``003``, a formula is shown, never run).
    """
    _require_import(actor)
    job = import_job_get(actor=actor, pk=job.pk)
    reveal = actor.scope.can_in_kelurahan(Cap.POPULATION_VIEW_NIK, job.kelurahan)
    secret = {
        c["index"]
        for c in job.columns
        if c.get("key") in PERSONAL_NUMBER_KEYS
        or norm_key(c.get("header", "")) in ("ayahnik", "ibunik")
    }
    limit = max_failed_rows()
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    with runner.local_file(job) as path:
        reader = open_reader(path, job.file_format)
        sheet = job.sheet_name or reader.sheet_names()[0]
        header_row = job.header_row or 1
        rows = reader.rows(sheet)
        header: list = []
        for row_number, values in rows:
            if row_number == header_row:
                header = [text_of(v) for v in values]
                break
        width = len(header)
        written = [0]

        def cell(index: int, value) -> str:
            shown = text_of(value)
            if shown and index in secret and not reveal:
                return mask_number(shown)
            return shown

        def failed() -> Iterator[list]:
            messages = _row_messages(job)
            pending = next(messages, None)
            for row_number, values in rows:
                if pending is None:
                    return
                if is_end(values):
                    break
                while pending is not None and pending[0] < row_number:
                    pending = next(messages, None)
                if pending is None or pending[0] != row_number or is_blank(values):
                    continue
                if written[0] >= limit:
                    left_out = max(job.error_rows - limit, 1)
                    note = _(
                        "Only the first %(max)d rows with errors are in this file; %(more)d more "
                        "are not. Fix these, upload the file again and download the rest."
                    ) % {"max": limit, "more": left_out}
                    yield [None] * width + [str(note)]
                    return
                cells = [cell(i, v) for i, v in enumerate(values[:width])]
                yield [*cells, *[None] * (width - len(cells)), pending[1]]
                written[0] += 1

        text_columns = [True] * (width + 1)
        headers = [str(h) for h in header] + [ERROR_COLUMN]
        write_table(out, "xlsx", headers, failed(), text_columns)
    count = written[0]
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
    stem = FILE_STEMS.get(job.kind, job.kind.replace("_", "-"))
    return ExportFile(
        file=out,
        filename=f"baris-gagal-{stem}-{str(job.pk)[:8]}.xlsx",
        content_type=CONTENT_TYPES["xlsx"],
        rows=count,
    )


def import_kind_choices(*, actor) -> list[tuple[str, str]]:
    from backend.imports import kinds  # noqa: F401 (registers the kinds)

    return [(k.key, k.label) for k in REGISTRY.values() if actor.scope.has(k.cap)]
