"""Export of the audit timeline (CSV, XLSX) for an inspector.

Scoped (the rows are intersected with ``audit_list(actor=...)`` whatever
queryset the door passes), NIK/KK numbers masked for everyone (a file has no reveal),
guarded against spreadsheet formula injection, and recorded itself as an
``exported`` event once the file was produced, before it is handed out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from backend.audit.display import WITA, EventPresenter
from backend.audit.models import AuditEvent
from backend.audit.selectors import audit_list
from backend.audit.services import record_export
from backend.common.errors import Code, DomainError

MAX_ROWS = 100_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMATS = ("csv", "xlsx")

HEADERS = [
    gettext_lazy("Time (WITA)"),
    gettext_lazy("User"),
    gettext_lazy("Door"),
    pgettext_lazy("audit", "Action"),
    gettext_lazy("Entity"),
    gettext_lazy("Entity id"),
    gettext_lazy("RT"),
    gettext_lazy("Kelurahan"),
    gettext_lazy("Kecamatan"),
    gettext_lazy("Changes"),
    gettext_lazy("Note"),
    gettext_lazy("Request id"),
    gettext_lazy("Import job"),
    gettext_lazy("Client address"),
    gettext_lazy("Sequence"),
    gettext_lazy("Hash"),
]


def safe_cell(value: object) -> object:
    """Text that a spreadsheet will not run as a formula (numbers and dates pass through)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    rows: int


def _rows(queryset: QuerySet[AuditEvent], presenter: EventPresenter) -> Iterator[list]:
    for event in queryset.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.occurred_at).replace(tzinfo=None, microsecond=0),
            event.actor_username or "",
            event.get_door_display(),
            event.get_action_display(),
            presenter.entity_name(event),
            event.entity_id or "",
            str(event.rt) if event.rt_id and event.rt else "",
            event.kelurahan.name if event.kelurahan_id and event.kelurahan else "",
            event.kecamatan.name if event.kecamatan_id and event.kecamatan else "",
            presenter.changes_text(event),
            presenter.note(event) or "",
            event.request_id or "",
            event.job_id or "",
            event.client_ip or "",
            event.seq,
            event.row_hash,
        ]


def audit_export(
    *, actor, queryset: QuerySet[AuditEvent], file_format: str, filters: dict | None = None
) -> ExportFile:
    """Build the file and record the export; refuses an unknown format or too many rows."""
    if file_format not in FORMATS:
        raise DomainError(Code.INVALID, _("Unknown export format."), field="format")
    scoped = (queryset & audit_list(actor=actor)).select_related("rt__rw", "kelurahan", "kecamatan")
    count = scoped.count()
    if count > MAX_ROWS:
        raise DomainError(
            "too_many_rows",
            _("The export is limited to %(limit)s rows; narrow the filters.")
            % {"limit": f"{MAX_ROWS:,}".replace(",", ".")},
        )
    # NIK/KK numbers masked for everyone (no reveal in a file); birth dates and passport
    # numbers shown only where the viewer holds Cap.POPULATION_VIEW_NIK.
    presenter = EventPresenter(actor)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    headers = [str(h) for h in HEADERS]
    if file_format == "csv":
        exported = ExportFile(
            f"jejak-audit-{stamp}.csv",
            "text/csv; charset=utf-8",
            _csv(headers, _rows(scoped.order_by("seq"), presenter)),
            count,
        )
    else:
        exported = ExportFile(
            f"jejak-audit-{stamp}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _xlsx(headers, _rows(scoped.order_by("seq"), presenter)),
            count,
        )
    # Recorded once the file exists: a generation that fails leaves no "exported" event.
    record_export(
        actor=actor,
        entity_type="audit.auditevent",
        rows=count,
        file_format=file_format,
        filters=filters,
        unmasked=False,
    )
    return exported


def _csv(headers: list[str], rows: Iterator[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so Excel reads UTF-8
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        row[0] = f"{row[0].strftime('%d-%m-%Y %H.%M.%S')} {WITA}"
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _xlsx(headers: list[str], rows: Iterator[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit trail")[:31])
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # Control characters (a username typed at a failed login) are not valid XML.
                value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif hasattr(value, "year"):
                cell.number_format = "DD-MM-YYYY HH:MM:SS"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
