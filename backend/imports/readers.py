"""Streaming readers for the spreadsheets people actually send.

Every reader yields ``(row_number, values)`` with the row number as the
spreadsheet shows it (1-based, the header included) and the values typed as
the file stores them: ``str`` for text, ``int``/``float`` for number cells,
``date``/``datetime`` for date cells, ``bool``, ``None`` for an empty cell.
The type matters: a NIK that arrives as a number is refused later, because
Excel keeps only 15 significant digits of a number.

- XLSX: the sheet XML is streamed with expat. openpyxl's read-only mode
  reads the same 100,000-row sheet about eight times slower on this
  hardware (53 s against 6.5 s), so openpyxl only supplies the date-format
  rules here; memory stays flat either way.
- XLS: xlrd (the legacy binary format; xlrd 2 still reads it).
- ODS: ``content.xml`` streamed with defusedxml's iterparse.
- CSV: UTF-8 with or without BOM, else Windows-1252; comma, semicolon, tab
  or pipe separated (detected, Excel's ``sep=`` line honoured). One leading
  apostrophe, the mark that keeps ``'003`` and NIKs as text (and that Lapor
  RT's own CSV exports write), is dropped.

XLSX and ODS are zip archives, so a small upload can expand to gigabytes
(a "zip bomb"). ``check_archive`` refuses one before any member is parsed:
too many members, too much uncompressed data, or a compression ratio no
spreadsheet has. The sizes checked are the ones the archive declares, and
that is enough: ``zipfile`` never inflates a member past its declared size.
Every reader also ignores cells right of ``MAX_COLUMNS`` (a cell in column
XFD must not make every row 16,384 values wide).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any
from xml.parsers import expat

from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

Row = tuple[int, list[Any]]

FORMATS = ("xlsx", "xls", "ods", "csv")
_CHUNK = 1 << 16
# Cells right of this column are ignored: no import has this many columns, and
# a stray cell in column XFD (16,384) must not widen every row.
MAX_COLUMNS = 512


class UnreadableFile(Exception):
    """The file cannot be read as the format it claims; the message is for the user."""

    def __init__(self, message: str, code: str = "unreadable") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, "LAPOR_RT", {}).get(name, default))


def archive_limits() -> tuple[int, int, int]:
    """(uncompressed bytes, compression ratio, members) an XLSX or ODS may have."""
    return (
        _limit("IMPORT_MAX_UNZIPPED_MB", 1024) * 1024 * 1024,
        _limit("IMPORT_MAX_ZIP_RATIO", 100),
        _limit("IMPORT_MAX_ZIP_MEMBERS", 10_000),
    )


# Below this much uncompressed data the ratio is not checked: a small part
# full of repeated markup (styles, an empty sheet) compresses very well.
_RATIO_FLOOR = 10 * 1024 * 1024


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip archive that would expand beyond the limits, before reading it."""
    max_bytes, max_ratio, max_members = archive_limits()
    members = archive.infolist()
    if len(members) > max_members:
        raise UnreadableFile(
            _(
                "The file is too large once unpacked: it holds %(count)d parts, at most "
                "%(max)d are accepted. Save it again as a plain spreadsheet, or as CSV."
            )
            % {"count": len(members), "max": max_members},
            "archive_too_large",
        )
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    too_big = unpacked > max_bytes
    bomb = unpacked > _RATIO_FLOOR and unpacked > max_ratio * max(packed, 1)
    if too_big or bomb:
        raise UnreadableFile(
            _(
                "The file is too large once unpacked (%(size)d MB from %(packed)d KB; at most "
                "%(max)d MB, compressed at most %(ratio)d times). It may be damaged or built "
                "to overload the server. Delete the empty rows and columns and save it "
                "again, or split it into smaller files."
            )
            % {
                "size": unpacked // (1024 * 1024),
                "packed": max(1, packed // 1024),
                "max": max_bytes // (1024 * 1024),
                "ratio": max_ratio,
            },
            "archive_too_large",
        )


class Formula(str):
    """A cell that holds a formula: the formula's text, and the result the file cached.

    An import takes typed values only: a formula's result depends on cells
    the import does not see (and on the program that last computed it), so
    ``Session.read_cells`` refuses it with a message saying so.
    """

    result: Any

    def __new__(cls, formula: str, result: Any = None) -> Formula:
        obj = super().__new__(cls, formula)
        obj.result = result
        return obj


_TEXT_CONSTANT = re.compile(r'^=\s*"((?:[^"]|"")*)"\s*$')


def formula_cell(formula: str, result: Any) -> Any:
    """A formula cell as the reader yields it: a :class:`Formula`, except a text constant.

    ``="6471041705750001"`` is how people keep a number as text; it depends
    on nothing, so it is the typed value (the same as in CSV).
    """
    constant = _TEXT_CONSTANT.match(formula)
    if constant:
        return constant.group(1).replace('""', '"')
    return Formula(formula, result)


# A CSV value that a spreadsheet would run as a formula: "=...", or "+", "-" or
# "@" before a function call or a cell reference ("@SUM(", "+A1", "-B2*3").
# "-", "+62 812..." and "-5" stay values; Excel's ="00123" text trick is text.
_CSV_FORMULA = re.compile(
    r"^(?:=(?!\s*\"[^\"]*\"\s*$)"
    r"|[+\-@]\s*(?:[A-Za-z_][A-Za-z0-9_.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+\b))"
)


def detect_format(name: str, head: bytes) -> str | None:
    """The format from the file's first bytes, falling back to its extension."""
    suffix = PurePosixPath(name.lower()).suffix.lstrip(".")
    if head.startswith(b"PK\x03\x04"):
        if suffix == "ods":
            return "ods"
        return "ods" if b"mimetypeapplication/vnd.oasis" in head[:100] else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("xlsx", "xlsm", "xls", "ods"):
        return None  # claims a spreadsheet format but is not one
    return "csv" if suffix == "" else None


class Reader:
    """One uploaded file. ``sheet_names()`` then ``rows(name)`` (a fresh pass each call)."""

    format = ""

    def __init__(self, path: str) -> None:
        self.path = path

    def sheet_names(self) -> list[str]:
        return [""]

    def rows(self, sheet: str) -> Iterator[Row]:
        raise NotImplementedError

    def estimated_rows(self, sheet: str) -> int | None:
        return None

    def describe(self) -> str:
        return self.format.upper()


def open_reader(path: str, fmt: str) -> Reader:
    return {"xlsx": XlsxReader, "xls": XlsReader, "ods": OdsReader, "csv": CsvReader}[fmt](path)


# -- XLSX ---------------------------------------------------------------------

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DATE_BUILTINS = (
    frozenset(
        i for i, fmt in BUILTIN_FORMATS.items() if is_date_format(fmt) and i not in (18, 19, 20, 21)
    )
    | frozenset(range(27, 37))
    | frozenset(range(50, 59))
)


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _no_dtd(*_args) -> None:
    raise UnreadableFile(_("The file contains a DTD, which spreadsheets never need."))


def _expat() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_dtd
    return parser


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


class SharedStrings:
    """The workbook's shared strings, packed: a few large strings and an offset per entry.

    A list of Python strings costs some 50 bytes per entry besides the text;
    millions of one-letter entries (cheap to compress) would take gigabytes.
    Here an entry costs its text and four bytes.
    """

    _BLOCK = 1 << 14  # entries per packed block

    def __init__(self) -> None:
        self._blocks: list[str] = []
        self._starts = array("I")
        self._pending: list[str] = []
        self._count = 0

    def append(self, text: str) -> None:
        self._pending.append(text)
        self._count += 1
        if len(self._pending) == self._BLOCK:
            self._pack()

    def _pack(self) -> None:
        position = 0
        for text in self._pending:
            self._starts.append(position)
            position += len(text)
        self._blocks.append("".join(self._pending))
        self._pending = []

    def seal(self) -> None:
        if self._pending:
            self._pack()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> str:
        if index < 0 or index >= len(self._starts):
            raise IndexError(index)
        block = self._blocks[index // self._BLOCK]
        start = self._starts[index]
        last = (index + 1) % self._BLOCK == 0 or index + 1 == len(self._starts)
        end = len(block) if last else self._starts[index + 1]
        return block[start:end]


class XlsxReader(Reader):
    format = "xlsx"

    def __init__(self, path: str) -> None:
        super().__init__(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise UnreadableFile(_("The file is not a readable XLSX workbook.")) from exc
        check_archive(self._zip)
        try:
            self._sheets, self._shared_path, self._styles_path = self._workbook()
        except (zipfile.BadZipFile, KeyError, expat.ExpatError) as exc:
            raise UnreadableFile(_("The file is not a readable XLSX workbook.")) from exc
        self._shared: SharedStrings | None = None
        self._date_styles: frozenset[int] | None = None

    # workbook structure

    def _parse(self, member: str, start, end=None, chars=None) -> None:
        parser = _expat()
        parser.StartElementHandler = start
        if end:
            parser.EndElementHandler = end
        if chars:
            parser.CharacterDataHandler = chars
        with self._zip.open(member) as f:
            parser.ParseFile(f)

    def _rels(self, member: str) -> dict[str, tuple[str, str]]:
        rels: dict[str, tuple[str, str]] = {}

        def start(name, attrs):
            if _local(name) == "Relationship":
                rels[attrs["Id"]] = (attrs.get("Type", ""), attrs["Target"])

        self._parse(member, start)
        return rels

    def _workbook(self):
        names = set(self._zip.namelist())
        root_rels = self._rels("_rels/.rels")
        workbook = next(
            t.lstrip("/") for typ, t in root_rels.values() if typ.endswith("/officeDocument")
        )
        base = PurePosixPath(workbook).parent
        rels_member = str(base / "_rels" / (PurePosixPath(workbook).name + ".rels"))
        rels = self._rels(rels_member) if rels_member in names else {}

        def resolve(target: str) -> str:
            return target.lstrip("/") if target.startswith("/") else str(base / target)

        sheets: list[tuple[str, str]] = []
        self._date1904 = False

        def start(name, attrs):
            local = _local(name)
            if local == "sheet":
                rid = attrs.get(f"{_REL_NS} id")
                if rid in rels:
                    sheets.append((attrs.get("name", ""), resolve(rels[rid][1])))
            elif local == "workbookPr":
                self._date1904 = attrs.get("date1904") in ("1", "true")

        self._parse(workbook, start)
        by_type = {typ.rpartition("/")[2]: resolve(t) for typ, t in rels.values()}
        shared, styles = by_type.get("sharedStrings"), by_type.get("styles")
        return (
            sheets,
            shared if shared in names else None,
            styles if styles in names else None,
        )

    def sheet_names(self) -> list[str]:
        return [name for name, _path in self._sheets]

    def _shared_strings(self) -> SharedStrings:
        if self._shared is not None:
            return self._shared
        strings = SharedStrings()
        if self._shared_path:
            limit = _limit("IMPORT_MAX_SHARED_STRINGS_MB", 300) * 1024 * 1024
            if self._zip.getinfo(self._shared_path).file_size > limit:
                raise UnreadableFile(
                    _(
                        "The file is too large once unpacked: its text table is larger than "
                        "%(max)d MB. Split it into smaller files, or save it as CSV."
                    )
                    % {"max": limit // (1024 * 1024)},
                    "archive_too_large",
                )
            parts: list[str] = []
            state = {"in_t": False, "skip": 0}

            def start(name, attrs):
                local = _local(name)
                if local == "si":
                    parts.clear()
                elif local == "rPh":
                    state["skip"] += 1  # phonetic hints are not part of the text
                elif local == "t" and not state["skip"]:
                    state["in_t"] = True

            def end(name):
                local = _local(name)
                if local == "si":
                    strings.append("".join(parts))
                elif local == "rPh":
                    state["skip"] -= 1
                elif local == "t":
                    state["in_t"] = False

            def chars(data):
                if state["in_t"]:
                    parts.append(data)

            self._parse(self._shared_path, start, end, chars)
            strings.seal()
        self._shared = strings
        return strings

    def _date_style_ids(self) -> frozenset[int]:
        if self._date_styles is not None:
            return self._date_styles
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        state = {"in_xfs": False}

        def start(name, attrs):
            local = _local(name)
            if local == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "xf" and state["in_xfs"]:
                xf_formats.append(int(attrs.get("numFmtId", "0")))

        def end(name):
            if _local(name) == "cellXfs":
                state["in_xfs"] = False

        if self._styles_path:
            self._parse(self._styles_path, start, end)
        dates = set()
        for index, fmt_id in enumerate(xf_formats):
            if fmt_id in custom:
                fmt = custom[fmt_id]
                if is_date_format(fmt) and not re.fullmatch(r"[\[\]hHmMsS:.0 ;AMPampm/]*", fmt):
                    dates.add(index)
            elif fmt_id in _DATE_BUILTINS:
                dates.add(index)
        self._date_styles = frozenset(dates)
        return self._date_styles

    def estimated_rows(self, sheet: str) -> int | None:
        path = dict(self._sheets).get(sheet)
        if not path:
            return None
        # The <dimension> element sits near the top; read a little and stop.
        with self._zip.open(path) as f:
            head = f.read(4096).decode("utf-8", "replace")
        match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
        return int(match.group(1)) if match else None

    def rows(self, sheet: str) -> Iterator[Row]:
        path = dict(self._sheets)[sheet]
        shared = self._shared_strings()
        date_styles = self._date_style_ids()
        epoch = CALENDAR_MAC_1904 if self._date1904 else CALENDAR_WINDOWS_1900
        with self._zip.open(path) as f:
            head = f.read(2048)
        # Element names come with the prefix the writer chose ("c" or "x:c");
        # expat without namespace processing is markedly faster, so match the
        # prefixed names directly.
        match = re.search(rb"<(\w+:)?worksheet[\s>]", head)
        prefix = match.group(1).decode() if match and match.group(1) else ""
        tag_c, tag_row = prefix + "c", prefix + "row"
        tag_v, tag_t, tag_rph = prefix + "v", prefix + "t", prefix + "rPh"
        tag_f = prefix + "f"
        done: list[Row] = []
        values: list[Any] = []
        text: list[str] = []
        formula: list[str] = []
        # cell: type, style, column, holds a formula; flags: collecting text,
        # inside phonetic run, collecting formula text
        cell: list[Any] = [None, 0, 0, False]
        flags = [False, 0, False]
        row_no = [0]
        columns: dict[str, int] = {}

        def start(name, attrs):
            if name == tag_c:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    col = columns.get(letters)
                    if col is None:
                        col = columns[letters] = _column_index(letters)
                    cell[2] = col
                else:
                    cell[2] = len(values)
                cell[0] = attrs.get("t")
                style = attrs.get("s")
                cell[1] = int(style) if style else 0
                cell[3] = False
                text.clear()
            elif name == tag_v or (name == tag_t and not flags[1]):
                flags[0] = True
            elif name == tag_f:
                cell[3] = flags[2] = True
                formula.clear()
            elif name == tag_row:
                r = attrs.get("r")
                row_no[0] = int(r) if r else row_no[0] + 1
                values.clear()
            elif name == tag_rph:
                flags[1] += 1

        def end(name):
            if name == tag_c:
                col = cell[2]
                if col >= MAX_COLUMNS:
                    return
                value = _xlsx_value(cell[0], "".join(text), cell[1], shared, date_styles, epoch)
                if cell[3]:
                    # A shared formula's later cells carry no text of their own.
                    value = formula_cell("=" + ("".join(formula).strip() or "…"), value)
                if col == len(values):
                    values.append(value)
                elif value is None and col > len(values):
                    pass  # an empty (styled) cell far right: trailing Nones say nothing
                else:
                    if col > len(values):
                        values.extend([None] * (col - len(values) + 1))
                    values[col] = value
            elif name in (tag_v, tag_t):
                flags[0] = False
            elif name == tag_f:
                flags[2] = False
            elif name == tag_row:
                done.append((row_no[0], values[:]))
            elif name == tag_rph:
                flags[1] -= 1

        def chars(data):
            if flags[0]:
                text.append(data)
            elif flags[2]:
                formula.append(data)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _no_dtd
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        with self._zip.open(path) as f:
            while chunk := f.read(_CHUNK):
                parser.Parse(chunk, False)
                if done:
                    yield from done
                    done.clear()
            parser.Parse(b"", True)
        yield from done


def _xlsx_value(t, raw, style, shared, date_styles, epoch):
    if t in ("inlineStr", "str"):
        return raw
    if t == "s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError):
            return None
    if t == "b":
        return raw in ("1", "true")
    if t == "e":
        return raw  # "#N/A" and friends, as text
    if t == "d":
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            return raw
    if raw == "":
        return None
    try:
        number = int(raw) if re.fullmatch(r"-?\d+", raw) else float(raw)
    except ValueError:
        return raw
    if style in date_styles:
        try:
            value = from_excel(number, epoch)
        except (OverflowError, ValueError):
            return number
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date()
        return value
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


# -- XLS ----------------------------------------------------------------------


class XlsReader(Reader):
    format = "xls"

    def __init__(self, path: str) -> None:
        super().__init__(path)
        import xlrd

        self._xlrd = xlrd
        try:
            self._book = xlrd.open_workbook(path, on_demand=True)
        except Exception as exc:  # xlrd raises many shapes of error on a bad file
            raise UnreadableFile(_("The file is not a readable XLS workbook.")) from exc

    def sheet_names(self) -> list[str]:
        return self._book.sheet_names()

    def estimated_rows(self, sheet: str) -> int | None:
        return self._book.sheet_by_name(sheet).nrows

    def rows(self, sheet: str) -> Iterator[Row]:
        xlrd = self._xlrd
        sh = self._book.sheet_by_name(sheet)
        for r in range(sh.nrows):
            values: list[Any] = []
            width = min(sh.row_len(r), MAX_COLUMNS)
            types, cells = sh.row_types(r, 0, width), sh.row_values(r, 0, width)
            for ctype, value in zip(types, cells, strict=True):
                if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                elif ctype == xlrd.XL_CELL_DATE:
                    try:
                        when = xlrd.xldate.xldate_as_datetime(value, self._book.datemode)
                        values.append(when.date() if when.time() == dt.time(0) else when)
                    except (xlrd.xldate.XLDateError, OverflowError):
                        values.append(value)
                elif ctype == xlrd.XL_CELL_NUMBER:
                    values.append(int(value) if float(value).is_integer() else value)
                elif ctype == xlrd.XL_CELL_BOOLEAN:
                    values.append(bool(value))
                elif ctype == xlrd.XL_CELL_ERROR:
                    values.append(xlrd.error_text_from_code.get(value, "#ERROR"))
                else:
                    values.append(value)
            yield r + 1, values


# -- ODS ----------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
# A repeated empty row or cell beyond this is formatting, not data.
_MAX_REPEAT = 1000


class OdsReader(Reader):
    format = "ods"

    def __init__(self, path: str) -> None:
        super().__init__(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise UnreadableFile(_("The file is not a readable ODS spreadsheet.")) from exc
        check_archive(self._zip)
        try:
            self._zip.getinfo("content.xml")
        except KeyError as exc:
            raise UnreadableFile(_("The file is not a readable ODS spreadsheet.")) from exc
        self._names: list[str] | None = None

    def _events(self) -> Iterator[tuple[str, Any]]:
        """iterparse over content.xml that drops each row once it has been seen.

        Without this the whole document would be built in memory as it is
        read (a million repeated empty rows, or a large sheet before the one
        wanted).
        """
        row_tag = f"{{{_TABLE}}}table-row"
        stack: list[Any] = []
        with self._zip.open("content.xml") as f:
            for event, elem in SafeET.iterparse(f, events=("start", "end")):
                if event == "start":
                    stack.append(elem)
                    yield event, elem
                    continue
                stack.pop()
                yield event, elem
                if elem.tag == row_tag:
                    elem.clear()
                    if stack:
                        stack[-1].remove(elem)

    def sheet_names(self) -> list[str]:
        if self._names is None:
            names = []
            for event, elem in self._events():
                if elem.tag == f"{{{_TABLE}}}table" and event == "start":
                    names.append(elem.get(f"{{{_TABLE}}}name", ""))
            self._names = names
        return self._names

    def rows(self, sheet: str) -> Iterator[Row]:
        row_number = 0
        inside = False
        for event, elem in self._events():
            tag = elem.tag
            if tag == f"{{{_TABLE}}}table":
                if event == "start":
                    inside = elem.get(f"{{{_TABLE}}}name", "") == sheet
                elif inside:
                    return
                continue
            if not inside or event != "end" or tag != f"{{{_TABLE}}}table-row":
                continue
            repeat = int(elem.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
            values = _ods_row(elem)
            if any(v not in (None, "") for v in values):
                for _i in range(min(repeat, _MAX_REPEAT)):
                    row_number += 1
                    yield row_number, list(values)
                row_number += max(0, repeat - _MAX_REPEAT)
            else:
                row_number += repeat


def _ods_row(row) -> list[Any]:
    values: list[Any] = []
    pending_empty = 0
    for cell in row:
        if cell.tag not in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
            continue
        repeat = int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
        value = _ods_value(cell)
        if value in (None, ""):
            pending_empty += repeat
            continue
        if len(values) + pending_empty >= MAX_COLUMNS:
            break
        values.extend([None] * pending_empty)
        pending_empty = 0
        values.extend([value] * min(repeat, MAX_COLUMNS - len(values)))
    return values


def _ods_text(cell) -> str:
    return "\n".join(_node_text(p) for p in cell.iter(f"{{{_TEXT}}}p"))


def _node_text(node) -> str:
    parts = [node.text or ""]
    for child in node:
        if child.tag == f"{{{_TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1")))
        elif child.tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif child.tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        else:
            parts.append(_node_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_value(cell) -> Any:
    value = _ods_plain_value(cell)
    formula = cell.get(f"{{{_TABLE}}}formula")
    if formula:
        # "of:=[.A1]&\"x\"": the prefix before ":=" names the dialect.
        dialect, sep, rest = formula.partition(":=")
        return formula_cell(f"={rest}" if sep and "=" not in dialect else formula, value)
    return value


def _ods_plain_value(cell) -> Any:
    kind = cell.get(f"{{{_OFFICE}}}value-type")
    if kind is None:
        text = _ods_text(cell)
        return text or None
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(f"{{{_OFFICE}}}value", "")
        try:
            number = float(raw)
        except ValueError:
            return raw
        if number.is_integer() and abs(number) < 2**53 and "e" not in raw.lower():
            return int(number)
        return number
    if kind == "date":
        raw = cell.get(f"{{{_OFFICE}}}date-value", "")
        try:
            when = dt.datetime.fromisoformat(raw)
        except ValueError:
            return raw
        return when.date() if when.time() == dt.time(0) and "T" not in raw else when
    if kind == "boolean":
        return cell.get(f"{{{_OFFICE}}}boolean-value") == "true"
    return _ods_text(cell)


# -- CSV ----------------------------------------------------------------------

_DELIMITERS = (";", ",", "\t", "|")


@dataclass
class CsvDialect:
    encoding: str
    delimiter: str
    skip_first_line: bool  # Excel's "sep=;" hint line


class CsvReader(Reader):
    format = "csv"

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.dialect = self._sniff()

    def describe(self) -> str:
        names = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
        delimiter = {";": ";", ",": ",", "\t": "tab", "|": "|"}[self.dialect.delimiter]
        return f"CSV, {names.get(self.dialect.encoding, self.dialect.encoding)}, '{delimiter}'"

    def _sniff(self) -> CsvDialect:
        with open(self.path, "rb") as f:
            head = f.read(4)
            if head.startswith(codecs.BOM_UTF8):
                encoding = "utf-8-sig"
            elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                encoding = "utf-16"
            else:
                f.seek(0)
                encoding = "utf-8" if _is_utf8(f) else "cp1252"
        with self._open_text(encoding) as text:
            sample = text.read(64 * 1024)
        lines = sample.splitlines()[:30]
        if lines and lines[0].lower().startswith("sep=") and len(lines[0]) >= 5:
            return CsvDialect(encoding, lines[0][4], True)
        # The separator is on (nearly) every line; a comma inside a name is not.
        best, best_score = ",", (0, 0)
        for delimiter in _DELIMITERS:
            counts = [_count_outside_quotes(line, delimiter) for line in lines]
            score = (sum(1 for c in counts if c), sum(counts))
            if score > best_score:
                best, best_score = delimiter, score
        return CsvDialect(encoding, best, False)

    def estimated_rows(self, sheet: str) -> int | None:
        """Lines in the file (a record with a line break inside counts twice; for progress)."""
        count = 0
        with open(self.path, "rb") as f:
            while chunk := f.read(1 << 20):
                count += chunk.count(b"\n")
        return count

    def _open_text(self, encoding: str) -> IO[str]:
        # Windows-1252 leaves five bytes undefined; map them as Latin-1 does.
        errors = "strict" if encoding != "cp1252" else "latin1_fallback"
        return open(self.path, encoding=encoding, errors=errors, newline="")

    def rows(self, sheet: str) -> Iterator[Row]:
        d = self.dialect
        with self._open_text(d.encoding) as text:
            if d.skip_first_line:
                text.readline()
            reader = csv.reader(text, delimiter=d.delimiter)
            for number, record in enumerate(reader, start=1):
                yield number, [_csv_value(value) for value in record[:MAX_COLUMNS]]


def _csv_value(value: str) -> str | None:
    """A CSV cell; one leading apostrophe (the "this is text" mark) is dropped."""
    if value == "":
        return None
    if value.startswith("'"):
        return value[1:]
    if value[0] in "=+-@" and _CSV_FORMULA.match(value):
        return Formula(value)
    return value


def _latin1_fallback(error: UnicodeDecodeError):
    bad = error.object[error.start : error.end]
    return bad.decode("latin-1"), error.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def _is_utf8(f: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := f.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def text_of(value: Any) -> str:
    """A cell value as the user would read it in the sheet (for messages and exports)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return f"{value:%d-%m-%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15G}"
    return str(value)
