"""Exports of reports to XLSX and CSV, with the same guards as the population exports.

Only reports the actor may read (``Cap.REPORT_VIEW``) in the region where
they may export (``Cap.POPULATION_EXPORT``); filters by kind, state, RT,
kelurahan and a date range. A NIK (the deceased's, the informant's, a
non-permanent resident's) is masked unless the actor may see it in that RT
and asked for full numbers. Text stays text and no cell runs as a formula
(``backend.imports.exports``). The file imports back as "historical reports"
with zero changes: rows are matched on ``No. Laporan``, and a masked NIK is
compared in its masked form.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import record, region_or_actors
from backend.common.errors import DomainError
from backend.imports.exports import CONTENT_TYPES, ExportFile, write_table
from backend.imports.report_resource import ReportResource
from backend.reports import selectors
from backend.reports.choices import Kind, State
from backend.reports.models import DETAIL_RELATION, Report

_DETAIL_PATHS = [
    {Kind.DEATH: "deathdetail__resident", Kind.STAY_END: "stayenddetail__stay"}.get(k, relation)
    for k, relation in DETAIL_RELATION.items()
]


def report_export_list(
    *,
    actor,
    ids: Iterable | QuerySet | None = None,
    kelurahan=None,
    rt=None,
    kind: str | None = None,
    state: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Report]:
    """The reports an export of ``actor`` holds, in file order (day, RT, number)."""
    qs = actor.scope.filter(selectors.report_list(actor=actor), Cap.POPULATION_EXPORT)
    if ids is not None:
        qs = qs.filter(pk__in=ids if isinstance(ids, QuerySet) else list(ids))
    if kelurahan is not None:
        qs = qs.filter(rt__kelurahan=kelurahan)
    if rt is not None:
        qs = qs.filter(rt=rt)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if date_from:
        qs = qs.filter(report_date__gte=date_from)
    if date_to:
        qs = qs.filter(report_date__lte=date_to)
    return qs.select_related("rt__kelurahan__kecamatan", "rt__rw", *_DETAIL_PATHS).order_by(
        "report_date", "rt__kelurahan__code", "rt__number", "pk"
    )


def reports_export(
    *,
    actor,
    fmt: str = "xlsx",
    reveal: bool = False,
    ids: Iterable | QuerySet | None = None,
    kelurahan=None,
    rt=None,
    kind: str | None = None,
    state: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    delimiter: str = ";",
) -> ExportFile:
    """Write the reports in ``actor``'s scope (and the filters) to a spreadsheet file."""
    scope = actor.scope
    if fmt not in CONTENT_TYPES or (kind and kind not in Kind.values):
        raise DomainError("invalid", _("Unknown export."))
    if state and state not in State.values:
        raise DomainError("invalid", _("Unknown export."))
    if not scope.has(Cap.POPULATION_EXPORT) or not scope.has(Cap.REPORT_VIEW):
        raise DomainError.permission_denied(_("You may not export reports."))
    if reveal and not scope.has(Cap.POPULATION_VIEW_NIK):
        raise DomainError.permission_denied(_("You may not see full NIK and KK numbers."))
    if date_from and date_to and date_from > date_to:
        raise DomainError("invalid", _("The period ends before it starts."), field="date_to")
    if delimiter not in (";", ","):
        delimiter = ";"
    qs = report_export_list(
        actor=actor,
        ids=ids,
        kelurahan=kelurahan,
        rt=rt,
        kind=kind,
        state=state,
        date_from=date_from,
        date_to=date_to,
    )
    resource = ReportResource(actor=actor, reveal=reveal)
    fields = resource.get_export_fields()
    headers = resource.get_export_headers()
    text_columns = [getattr(f, "keep_as_text", False) for f in fields]
    # Written inside the request, like the population exports (see the TODO there).
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    rows = (resource.export_resource(obj) for obj in qs.iterator(chunk_size=2000))
    count = write_table(out, fmt, headers, rows, text_columns, delimiter=delimiter)
    out.seek(0)
    filters = {
        "report_kind": kind,
        "state": state,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "kelurahan": getattr(kelurahan, "pk", None),
        "rt": getattr(rt, "pk", None),
    }
    record(
        actor=actor,
        action=Action.EXPORTED,
        entity_type="reports.report",
        entity_label=f"reports ({count})",
        snapshot={
            "kind": "reports",
            "format": fmt,
            "rows": count,
            "masked": not reveal,
            "selected": ids is not None,
            **{k: v for k, v in filters.items() if v is not None},
        },
        **region_or_actors(actor, rt=rt, kelurahan=kelurahan),
        note=f"{count} rows" + (" unmasked" if reveal else ""),
    )
    where = slugify(getattr(rt, "code", None) or getattr(kelurahan, "name", None) or "wilayah")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(
        file=out,
        filename=f"laporan-{where}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        rows=count,
    )
