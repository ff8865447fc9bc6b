"""Running an import job: the dry run (check) and the import (run), in a worker.

Check: read the file once, row by row, into a cache of typed rows (the
problems of single cells are stored as they are found), then run the checks
that span rows (duplicate NIKs, KK groups) and the domain's bulk service
without writing, chunk by chunk. The counts and every problem make the
preview.

Run: rebuild the same state from the cache, then the bulk service again,
writing, all inside ONE database transaction. The database state may have
changed since the preview, so every check that depends on it runs again. In
the default all-or-nothing mode the first invalid row aborts the whole
transaction; with "only the valid rows" invalid rows are skipped. A crash
(an exception, a killed worker, a lost connection) rolls the transaction
back: nothing is ever half-written. The job row itself is only written
outside that transaction, except progress, which PostgreSQL receives
through a second connection so the admin's bar moves while rows are written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.audit.context import Door, audit_context
from backend.audit.models import Action
from backend.audit.services import record
from backend.common.errors import Code
from backend.imports.cache import RowCache, cache_dir
from backend.imports.columns import (
    ColumnMap,
    FileColumn,
    NoTableFound,
    Used,
    describe_column,
    is_blank,
    is_end,
    locate,
)
from backend.imports.kinds.base import ERROR, Issue, RegionIndex, Session, get_kind
from backend.imports.models import ImportJob, ImportProblem
from backend.imports.readers import UnreadableFile, open_reader

logger = logging.getLogger(__name__)

PROBLEM_BATCH = 1000
PROGRESS_EVERY = 0.5  # seconds


class Abort(Exception):
    """An all-or-nothing run met an invalid row: roll everything back."""


class TooManyRows(Exception):
    """The file has more data rows than one job takes."""


def max_rows() -> int:
    return int(getattr(settings, "LAPOR_RT", {}).get("IMPORT_MAX_ROWS", 1_000_000))


# -- helpers --------------------------------------------------------------------


@contextlib.contextmanager
def local_file(job: ImportJob) -> Iterator[str]:
    """A path to the uploaded file on this machine (downloaded if the storage is remote)."""
    try:
        yield job.file.path
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=f".{job.file_format}") as tmp:
        with job.file.open("rb") as f:
            for chunk in f.chunks():
                tmp.write(chunk)
        tmp.flush()
        yield tmp.name


def sha256_of(f) -> str:
    digest = hashlib.sha256()
    for chunk in f.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def cache_path(job: ImportJob) -> Path:
    return cache_dir() / f"{job.pk}.jsonl"


def _new_rows_path(job: ImportJob) -> Path:
    return cache_dir() / f"{job.pk}.new.json"


def discard_cache(job: ImportJob) -> None:
    for path in (cache_path(job), _new_rows_path(job)):
        path.unlink(missing_ok=True)


def _save_new_rows(job: ImportJob, rows: set[int]) -> None:
    """Rows whose field rules passed as new records, as ranges: [[first, last], ...]."""
    ranges: list[list[int]] = []
    for row in sorted(rows):
        if ranges and ranges[-1][1] == row - 1:
            ranges[-1][1] = row
        else:
            ranges.append([row, row])
    _new_rows_path(job).write_text(json.dumps(ranges))


def _load_new_rows(job: ImportJob) -> frozenset[int]:
    path = _new_rows_path(job)
    if not path.exists():
        return frozenset()
    rows = set()
    for first, last in json.loads(path.read_text()):
        rows.update(range(first, last + 1))
    return frozenset(rows)


class Progress:
    """Rows done and the worker's heartbeat, written to the job row a few times a second."""

    def __init__(self, job: ImportJob, *, inside_transaction: bool = False) -> None:
        self.job = job
        self.last = 0.0
        self.side = None
        self.inside = inside_transaction
        if inside_transaction and connection.vendor == "postgresql":
            # A second connection, so the progress is visible while the
            # import's own transaction is still open.
            self.side = connections.create_connection("default")

    def phase(self, phase: str, total: int) -> None:
        now = timezone.now()
        ImportJob.objects.filter(pk=self.job.pk).update(
            phase=phase, total_rows=total, rows_done=0, phase_started_at=now, heartbeat_at=now
        )
        self.job.phase, self.job.total_rows, self.job.rows_done = phase, total, 0
        self.job.phase_started_at = now

    def tick(self, done: int, *, force: bool = False) -> None:
        clock = time.monotonic()
        if not force and clock - self.last < PROGRESS_EVERY:
            return
        self.last = clock
        self.job.rows_done = done
        if self.side is not None:
            table = ImportJob._meta.db_table
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_done = %s, heartbeat_at = %s WHERE id = %s",  # noqa: S608
                    [done, timezone.now(), self.job.pk],
                )
        elif not self.inside:
            ImportJob.objects.filter(pk=self.job.pk).update(
                rows_done=done, heartbeat_at=timezone.now()
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


MISSING_COLUMN_ROW = "missing_column_row"
# Row numbers named in the one message about a missing column.
_MISSING_EXAMPLES = 5


class ProblemSink:
    """Stores issues in batches and remembers which rows have errors or warnings.

    A value a row needs from a column the file does not have at all (the sex
    or date of birth of a new resident, in a file without those columns) is
    one problem of the file, not one per row: the rows still count as
    invalid and keep a row-level note for the failed-rows file (code
    ``missing_column_row``, not listed on the page), and ``finish`` stores a
    single ``missing_column`` problem naming the column, how many rows need
    it and the headers accepted for it.
    """

    def __init__(self, job: ImportJob, columns: ColumnMap | None, *, store: bool = True) -> None:
        self.job = job
        self.columns = columns
        self.store = store
        self.buffer: list[ImportProblem] = []
        self.error_rows: set[int] = set()
        self.warning_rows: set[int] = set()
        self.kept: list[Issue] = []
        self.known = {c.key: c for c in get_kind(job.kind).resource_class.columns() if c.imported}
        # column key -> (stage, rows needing it: count, the first few)
        self.missing: dict[str, tuple[str, list[int]]] = {}
        self.missing_count: Counter = Counter()

    def _needs_missing_column(self, issue: Issue) -> bool:
        return (
            issue.severity == ERROR
            # "required" from the import's rules, "invalid" from a model's blank check
            and issue.code in (Code.REQUIRED, Code.INVALID)
            and issue.row is not None
            and issue.key in self.known
            and self.columns is not None
            and not self.columns.has(issue.key)
        )

    def _missing_column(self, issue: Issue, stage: str) -> Issue:
        key = issue.key or ""
        _stage, rows = self.missing.setdefault(key, (stage, []))
        if len(rows) < _MISSING_EXAMPLES:
            rows.append(issue.row)
        self.missing_count[key] += 1
        name = self.known[key].column_name
        message = _("The file has no “%(column)s” column, which this row needs.") % {"column": name}
        return Issue(issue.row, key, "", MISSING_COLUMN_ROW, str(message), ERROR)

    def _summaries(self) -> list[ImportProblem]:
        out = []
        for key, (stage, rows) in self.missing.items():
            column = self.known[key]
            count = self.missing_count[key]
            examples = ", ".join(str(r) for r in sorted(rows))
            if count > len(rows):
                examples += ", …"
            message = _(
                "The file has no column %(column)s, and %(count)d rows need it (rows "
                "%(rows)s). Add the column to the header row and upload the file again."
            ) % {"column": describe_column(column), "count": count, "rows": examples}
            out.append(
                ImportProblem(
                    job_id=self.job.pk,
                    stage=stage,
                    severity=ImportProblem.Severity.ERROR,
                    row_number=None,
                    column=str(column.column_name)[:200],
                    field=key[:60],
                    value="",
                    code="missing_column",
                    message=str(message),
                )
            )
        return out

    def finish(self) -> None:
        """Store what is buffered, and one problem for each column the rows needed."""
        self.buffer.extend(self._summaries())
        self.flush()

    def add(self, issues: list[Issue], stage: str) -> None:
        for issue in issues:
            if self._needs_missing_column(issue):
                issue = self._missing_column(issue, stage)
            if issue.row is not None:
                target = self.error_rows if issue.severity == ERROR else self.warning_rows
                target.add(issue.row)
            if not self.store:
                self.kept.append((issue, stage))
                continue
            self.buffer.append(self._problem(issue, stage))
        if len(self.buffer) >= PROBLEM_BATCH:
            self.flush()

    def _problem(self, issue: Issue, stage: str) -> ImportProblem:
        header = self.columns.header_of(issue.key) if self.columns else ""
        return ImportProblem(
            job_id=self.job.pk,
            stage=stage,
            severity=issue.severity,
            row_number=issue.row,
            column=header[:200],
            field=(issue.key or "")[:60],
            value=(issue.value or "")[:255],
            code=issue.code[:60],
            message=issue.message,
        )

    def flush(self) -> None:
        if self.buffer:
            ImportProblem.objects.bulk_create(self.buffer, batch_size=PROBLEM_BATCH)
            self.buffer = []

    def store_kept(self) -> None:
        """Write the issues held back during a run (after its transaction ended)."""
        self.buffer = [self._problem(issue, stage) for issue, stage in self.kept]
        self.kept = []
        self.finish()


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        failure=message,
        finished_at=timezone.now(),
        phase=ImportJob.Phase.FINISHED,
    )
    discard_cache(job)


def _columns_from_job(job: ImportJob, kind) -> ColumnMap:
    by_name = {c.key: c for c in kind.resource_class.columns()}
    cmap = ColumnMap(header_row=job.header_row or 1, columns=[])
    for item in job.columns:
        cmap.columns.append(FileColumn(item["index"], item["header"], item["key"], item["state"]))
        if item["state"] == Used.USED and item["key"] in by_name:
            cmap.by_key[item["key"]] = by_name[item["key"]]
    cmap.index_of = {c.key: i for i, c in enumerate(cmap.columns) if c.state == Used.USED}
    return cmap


@contextlib.contextmanager
def _job_context(job: ImportJob) -> Iterator[None]:
    with translation.override(job.language), audit_context(door=Door.IMPORT, job_id=str(job.pk)):
        yield


def _crashed(job: ImportJob, reference: str) -> None:
    with _job_context(job):
        _fail(
            job,
            _(
                "The import stopped because of an unexpected error (reference %(ref)s). "
                "Nothing was imported. Ask the administrator, or try again."
            )
            % {"ref": reference},
        )


# -- the dry run ------------------------------------------------------------------


def check_job(job_id: str) -> None:
    job = ImportJob.objects.select_related("created_by", "kelurahan__kecamatan").get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return
    try:
        with _job_context(job):
            _check(job)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("import job failed", extra={"job_id": str(job.pk), "reference": reference})
        _crashed(job, reference)


def _read(job, session: Session, table, sink: ProblemSink | None, progress: Progress) -> int:
    """Read every data row into the cache; returns the number of data rows."""
    cache = RowCache.create(str(job.pk))
    session.cache = cache
    total = 0
    try:
        for row_number, values in table.rows:
            if is_end(values):
                break
            if is_blank(values):
                continue
            total += 1
            if total > max_rows():
                raise TooManyRows
            record_, issues = session.parse(row_number, values)
            if record_ is not None:
                session.restore(cache.append(record_), record_)
            if sink is not None:
                sink.add(issues, ImportProblem.Stage.FILE)
            progress.tick(total)
        cache.seal(cache_path(job))
    except BaseException:
        cache.discard()
        raise
    return total


def _check(job: ImportJob) -> None:
    kind = get_kind(job.kind)
    progress = Progress(job)
    progress.phase(ImportJob.Phase.READING, 0)
    with local_file(job) as path:
        try:
            reader = open_reader(path, job.file_format)
            table = locate(reader, kind.resource_class)
        except (UnreadableFile, NoTableFound) as exc:
            ImportProblem.objects.create(
                job=job,
                stage=ImportProblem.Stage.FILE,
                severity=ImportProblem.Severity.ERROR,
                code=exc.code,
                message=str(exc.message),
            )
            _fail(job, str(exc.message))
            return
        job.sheet_name = table.sheet[:100]
        job.header_row = table.columns.header_row
        job.columns = [c.as_json() for c in table.columns.columns]
        job.file_description = reader.describe()[:80]
        job.total_rows = reader.estimated_rows(table.sheet) or 0
        job.save(
            update_fields=["sheet_name", "header_row", "columns", "file_description", "total_rows"]
        )
        regions = RegionIndex(job.kelurahan)
        session = kind.start(job=job, actor=job.created_by, columns=table.columns, regions=regions)
        sink = ProblemSink(job, table.columns)
        try:
            total = _read(job, session, table, sink, progress)
        except TooManyRows:
            sink.flush()
            message = _("The file has more than %(max)d rows; split it into smaller files.") % {
                "max": max_rows()
            }
            _fail(job, message)
            return

    sink.add(session.cross_row(), ImportProblem.Stage.FILE)
    progress.phase(ImportJob.Phase.CHECKING, _valid_rows(session))
    counts, secondary, valid_as_new = _check_chunks(session, sink, progress)
    sink.finish()
    _save_new_rows(job, valid_as_new)
    session.cache.close()
    preview = _counts(total, counts, secondary, sink)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PREVIEW,
        phase=ImportJob.Phase.FINISHED,
        total_rows=total,
        rows_done=total,
        preview_counts=preview,
        error_rows=len(sink.error_rows),
        warning_rows=len(sink.warning_rows),
        checked_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def _valid_rows(session: Session) -> int:
    return len(session.meta) - len(session.invalid)


def _check_chunks(session: Session, sink: ProblemSink, progress: Progress, *, write=False):
    counts: Counter = Counter()
    secondary: Counter = Counter()
    valid_as_new: set[int] = set()
    done = 0
    for chunk in session.chunks():
        result = session.process(chunk, write=write)
        counts.update(result.actions.values())
        secondary.update(result.secondary)
        valid_as_new |= result.valid_as_new
        sink.add(result.issues, ImportProblem.Stage.CHECK)
        done += len(result.actions)
        progress.tick(done)
        if write and not session.job.valid_only and counts["invalid"]:
            raise Abort
    late = session.finish(write=write)
    if late is not None:
        for row, action in late.actions.items():
            counts[action] += 1
            counts["new" if row in valid_as_new else "updated"] -= 1
        sink.add(late.issues, ImportProblem.Stage.CHECK)
        if write and not session.job.valid_only and counts["invalid"]:
            raise Abort
    progress.tick(done, force=True)
    return counts, secondary, valid_as_new


def _counts(total: int, counts: Counter, secondary: Counter, sink: ProblemSink) -> dict:
    invalid = len(sink.error_rows)
    return {
        "rows": {
            "total": total,
            "new": counts["new"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
            "invalid": invalid,
            "warnings": len(sink.warning_rows),
        },
        "secondary": {
            "new": secondary["new"],
            "updated": secondary["updated"],
            "unchanged": secondary["unchanged"],
            "invalid": secondary["invalid"],
        },
    }


# -- the run ------------------------------------------------------------------------


def run_job(job_id: str) -> None:
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return  # cancelled, or another worker has it
    job = ImportJob.objects.select_related(
        "created_by", "confirmed_by", "kelurahan__kecamatan"
    ).get(pk=job_id)
    try:
        with _job_context(job):
            _run(job)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("import job failed", extra={"job_id": str(job.pk), "reference": reference})
        _crashed(job, reference)


def _restore(job: ImportJob, kind, session: Session) -> None:
    """The dry run's rows: from its cache, or read from the file again."""
    cache = RowCache.open(cache_path(job))
    if cache is not None:
        session.cache = cache
        for index, record_ in enumerate(cache):
            session.restore(index, record_)
        return
    with local_file(job) as path:
        table = locate(open_reader(path, job.file_format), kind.resource_class)
        _read(job, session, table, None, Progress(job))


def _run(job: ImportJob) -> None:
    kind = get_kind(job.kind)
    columns = _columns_from_job(job, kind)
    regions = RegionIndex(job.kelurahan)
    # Whoever confirmed the import is the one changing the data.
    actor = job.confirmed_by or job.created_by
    session = kind.start(job=job, actor=actor, columns=columns, regions=regions)
    progress = Progress(job)
    progress.phase(ImportJob.Phase.READING, 0)
    _restore(job, kind, session)
    session.cross_row()
    session.checked_as_new = _load_new_rows(job)

    # Problems found now are kept in memory and stored after the transaction,
    # so that a rollback cannot take them with it.
    sink = ProblemSink(job, columns, store=False)
    progress.phase(ImportJob.Phase.WRITING, _valid_rows(session))
    # From here on the job row is written only through a second connection
    # (PostgreSQL), never by the import's own transaction: that would lock it.
    progress = Progress(job, inside_transaction=True)
    try:
        with transaction.atomic():
            counts, secondary, _new = _check_chunks(session, sink, progress, write=True)
            total = job.preview_counts.get("rows", {}).get("total", len(session.meta))
            result = _counts(total, counts, secondary, sink)
            result["rows"]["invalid"] = _rows_after_run(job, sink.error_rows, "error")
            result["rows"]["warnings"] = _rows_after_run(job, sink.warning_rows, "warning")
            record(
                actor=actor,
                action=Action.IMPORTED,
                entity_type="imports.importjob",
                entity_id=job.pk,
                entity_label=f"{job._meta.verbose_name} {str(job.pk)[:8]}",
                snapshot={"kind": job.kind, "file": job.file_format, **result},
                kelurahan=job.kelurahan,
                note=job.kind,
            )
    except Abort:
        progress.close()
        _replace_check_problems(job, sink)
        _fail(
            job,
            _(
                "Nothing was imported: %(count)d rows are no longer valid (the data changed "
                "since the preview). See the problems below, fix them and upload again, or "
                "choose to import only the valid rows."
            )
            % {"count": len(sink.error_rows)},
        )
        return
    finally:
        progress.close()
    _replace_check_problems(job, sink)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        phase=ImportJob.Phase.FINISHED,
        result_counts=result,
        rows_done=job.total_rows,
        total_rows=job.total_rows,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    session.cache.close()
    discard_cache(job)


def _rows_after_run(job: ImportJob, rows: set[int], severity: str) -> int:
    """Rows with a problem of ``severity``: the file's own, and those the run found."""
    file_rows = set(
        ImportProblem.objects.filter(job=job, stage=ImportProblem.Stage.FILE, severity=severity)
        .exclude(row_number=None)
        .values_list("row_number", flat=True)
    )
    return len(file_rows | rows)


def _replace_check_problems(job: ImportJob, sink: ProblemSink) -> None:
    """The run's own findings replace the preview's row checks (file problems stay)."""
    with transaction.atomic():
        ImportProblem.objects.filter(job=job, stage=ImportProblem.Stage.CHECK).delete()
        sink.store_kept()
    rows = ImportProblem.objects.filter(job=job).exclude(row_number=None)
    ImportJob.objects.filter(pk=job.pk).update(
        error_rows=rows.filter(severity=ImportProblem.Severity.ERROR)
        .values("row_number")
        .distinct()
        .count(),
        warning_rows=rows.filter(severity=ImportProblem.Severity.WARNING)
        .values("row_number")
        .distinct()
        .count(),
    )
