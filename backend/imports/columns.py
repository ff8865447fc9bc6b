"""Finding the data in a sheet: which sheet, which row holds the headers, which column is what.

- A sheet named ``Kode Data`` (OpenSID's code list) is skipped; the first
  other sheet whose header row is recognised is used.
- The header row is the first of the top 20 rows in which at least two
  headers are known and one of them identifies a row (NIK or name for
  residents), so title rows above the table are fine.
- A row with ``###`` in its first or second column ends the data (OpenSID).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from backend.imports.cells import norm_key
from backend.imports.readers import Reader, Row, text_of
from backend.imports.resources import Column, LaporResource

HEADER_SEARCH_ROWS = 20
SKIPPED_SHEETS = frozenset({"kodedata"})
END_MARKER = "###"


class Used:
    USED = "used"
    IGNORED = "ignored"
    UNKNOWN = "unknown"
    DUPLICATE = "duplicate"


@dataclass
class FileColumn:
    index: int
    header: str
    key: str | None
    state: str

    def as_json(self) -> dict:
        return {"index": self.index, "header": self.header, "key": self.key, "state": self.state}


@dataclass
class ColumnMap:
    header_row: int
    columns: list[FileColumn]
    by_key: dict[str, Column] = field(default_factory=dict)
    index_of: dict[str, int] = field(default_factory=dict)

    def header_of(self, key: str | None) -> str:
        """The header as the file writes it, for a key (``""`` when the file has none)."""
        if key is None or key not in self.index_of:
            return ""
        return self.columns[self.index_of[key]].header

    def has(self, key: str) -> bool:
        return key in self.index_of


def map_headers(values: list, resource_class: type[LaporResource], row_number: int) -> ColumnMap:
    index = resource_class.header_index()
    ignored = resource_class.ignored_headers()
    cmap = ColumnMap(header_row=row_number, columns=[])
    for i, raw in enumerate(values):
        header = text_of(raw).strip()
        if not header:
            continue
        key = norm_key(header)
        column = index.get(key)
        if column is None:
            state = Used.IGNORED if key in ignored else Used.UNKNOWN
            cmap.columns.append(FileColumn(i, header, None, state))
        elif column.key in cmap.by_key:
            cmap.columns.append(FileColumn(i, header, column.key, Used.DUPLICATE))
        else:
            cmap.columns.append(FileColumn(i, header, column.key, Used.USED))
            cmap.by_key[column.key] = column
    cmap.index_of = {c.key: pos for pos, c in enumerate(cmap.columns) if c.state == Used.USED}
    return cmap


def _recognised(cmap: ColumnMap, resource_class: type[LaporResource]) -> bool:
    used = [c for c in cmap.columns if c.state == Used.USED]
    return len(used) >= 2 and any(c.key in resource_class.identity_keys for c in used)


@dataclass
class LocatedTable:
    sheet: str
    columns: ColumnMap
    rows: Iterator[Row]


class NoTableFound(Exception):
    code = "unreadable"

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class MissingColumns(NoTableFound):
    """The table is there but lacks a column every row needs: one file-level error."""

    code = "missing_column"


def describe_column(column: Column) -> str:
    """``NIK (also read as: No NIK, Nomor NIK)``: a column and the headers accepted for it."""
    aliases = [a for a in column.aliases if norm_key(a) != norm_key(column.column_name)]
    if not aliases:
        return str(column.column_name)
    return str(
        _("%(name)s (also read as: %(aliases)s)")
        % {"name": column.column_name, "aliases": ", ".join(aliases)}
    )


def missing_required(cmap: ColumnMap, resource_class: type[LaporResource]) -> list[Column]:
    by_key = {c.key: c for c in resource_class.columns()}
    return [by_key[k] for k in resource_class.required_keys if not cmap.has(k)]


def _missing_error(cmap: ColumnMap, missing: list[Column]) -> MissingColumns:
    return MissingColumns(
        _(
            "The file lacks a column this import needs: %(columns)s. Add it to the header "
            "row (row %(row)d) and upload the file again."
        )
        % {"columns": "; ".join(describe_column(c) for c in missing), "row": cmap.header_row}
    )


def locate(reader: Reader, resource_class: type[LaporResource]) -> LocatedTable:
    """The first usable sheet, its header row, and an iterator over the rows below it."""
    sheets = [s for s in reader.sheet_names() if norm_key(s) not in SKIPPED_SHEETS]
    # The row that looked most like a header, for a message naming what it lacks.
    best: ColumnMap | None = None
    best_used = 1
    for sheet in sheets:
        rows = reader.rows(sheet)
        for _i, (row_number, values) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
            cmap = map_headers(values, resource_class, row_number)
            if _recognised(cmap, resource_class):
                missing = missing_required(cmap, resource_class)
                if missing:
                    raise _missing_error(cmap, missing)
                return LocatedTable(sheet=sheet, columns=cmap, rows=rows)
            used = len(cmap.index_of)
            if used > best_used:
                best, best_used = cmap, used
    if best is not None and missing_required(best, resource_class):
        raise _missing_error(best, missing_required(best, resource_class))
    expected = ", ".join(str(c.column_name) for c in resource_class.columns() if c.imported)
    raise NoTableFound(
        _(
            "No sheet has a header row this import recognises. The first row of the "
            "table must hold column names such as: %(expected)s."
        )
        % {"expected": expected}
    )


def is_end(values: list) -> bool:
    return any(isinstance(v, str) and v.strip() == END_MARKER for v in values[:2])


def is_blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
