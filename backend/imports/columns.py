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
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def locate(reader: Reader, resource_class: type[LaporResource]) -> LocatedTable:
    """The first usable sheet, its header row, and an iterator over the rows below it."""
    sheets = [s for s in reader.sheet_names() if norm_key(s) not in SKIPPED_SHEETS]
    for sheet in sheets:
        rows = reader.rows(sheet)
        for _i, (row_number, values) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
            cmap = map_headers(values, resource_class, row_number)
            if _recognised(cmap, resource_class):
                return LocatedTable(sheet=sheet, columns=cmap, rows=rows)
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
