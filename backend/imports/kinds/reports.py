"""Historical reports: one row per report (the day, the RT, the kind, the kind's fields).

Rows are read here (cells, the kind, the RT, which columns the kind uses);
the rules and the writing are the reports domain's bulk service
(``backend.reports.bulk``): what state an imported report gets, how a row
is matched to a report that already exists, the kinds' own checks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.common.errors import Code
from backend.imports.cells import CellError, norm_key
from backend.imports.kinds.base import (
    ERROR,
    WARNING,
    ChunkResult,
    Issue,
    Kind,
    RegionIndex,
    Session,
    register,
)
from backend.imports.readers import text_of
from backend.imports.report_codes import BBGRM_WORDS, KINDS, kind_label
from backend.imports.report_resource import (
    CATEGORY_TABLES,
    COMMON_KEYS,
    DETAIL_FIELDS,
    ReportResource,
    kind_keys,
)
from backend.imports.widgets import Masked
from backend.population import identity
from backend.population.bulk import RtIndex
from backend.reports import bulk
from backend.reports.choices import Kind as ReportKind
from backend.reports.choices import State

CHUNK_ROWS = 1000
ALL_KEYS = tuple(c.key for c in ReportResource.columns() if c.imported)
DATE_KEYS = frozenset({"death_date", "burial_date"})
TIME_KEYS = frozenset({"start_time", "death_time"})
# Where a problem the domain names by field lands in the file, per kind.
PROBLEM_COLUMNS: dict[str, dict[str, str]] = {
    kind: {field: key for key, field in fields.items()} for kind, fields in DETAIL_FIELDS.items()
}
PROBLEM_COLUMNS[ReportKind.DEATH]["resident"] = "resident_nik"
PROBLEM_COLUMNS[ReportKind.ISSUE]["issue_type"] = "kind"


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _decode(name: str, value: Any) -> Any:
    if isinstance(value, str) and name in DATE_KEYS:
        return dt.date.fromisoformat(value)
    if isinstance(value, str) and name in TIME_KEYS:
        return dt.time.fromisoformat(value)
    return value


class ReportSession(Session):
    """Rows of a report file: cells, the kind, the RT, the columns the kind uses; the
    in-file duplicates (by report number or natural key); chunks through the bulk service."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cache = None
        self.checked_as_new: frozenset[int] = frozenset()
        # (row number, the key that makes two rows the same report, the value shown)
        self.meta: list[tuple[int, tuple, str]] = []
        self.by_key: dict[tuple, list[int]] = defaultdict(list)
        self.invalid: set[int] = set()
        self.rt_index = RtIndex()
        self.rt_index.add(self.regions.rt_by_id.values())
        self.bulk: bulk.ReportBulkImport | None = None
        self._values: dict[int, dict] = {}

    # -- reading ------------------------------------------------------------------

    def parse(self, row_number: int, values: list):
        data, issues = self.read_cells(row_number, values, ALL_KEYS)
        kind, issue_type = self._kind(row_number, data, issues)
        report_date = data.get("report_date")
        if report_date is None and not any(i.key == "report_date" for i in issues):
            issues.append(self._missing(row_number, "report_date", _("The date is required.")))
        rt_id, region_issues = self._region(row_number, data, values)
        issues += region_issues
        if data.get("rt") is None and not any(i.key == "rt" for i in issues):
            issues.append(self._missing(row_number, "rt", _("The RT is required.")))
        if kind is None:
            return None, issues

        details: dict[str, Any] = {}
        present: set[str] = set()
        masked: dict[str, str] = {}
        fields = DETAIL_FIELDS.get(kind, {})
        for key, name in fields.items():
            if not self.columns.has(key):
                continue
            value = data.get(key)
            if key == "category" and value:
                value = self._category(row_number, kind, value, values, issues)
            if isinstance(value, Masked):
                masked[name] = str(value)
                value = None
            details[name] = value
            present.add(name)
        if kind == ReportKind.ISSUE:
            # An issue's place written under "Tempat" instead of "Lokasi".
            if not details.get("location") and data.get("place"):
                details["location"], present = data["place"], present | {"location"}
            details["issue_type"] = issue_type
        # "BBGRM" written as the kind marks a gotong royong as BBGRM (unless the
        # BBGRM column says otherwise).
        bbgrm_kind = norm_key(text_of(self.cell(values, "kind"))) in BBGRM_WORDS
        if kind == ReportKind.GOTONG_ROYONG and bbgrm_kind and details.get("is_bbgrm") is None:
            details["is_bbgrm"] = True
        if kind == ReportKind.DEATH and details.get("resident_nik"):
            issues += [
                Issue(row_number, "resident_nik", details["resident_nik"], p.code, str(p.message))
                for p in identity.nik_errors(details["resident_nik"])
            ]
        issues += self._foreign_cells(row_number, kind, issue_type, data, values)
        report_id = data.get("report_id")
        for name, text in masked.items():
            if not report_id:
                key = PROBLEM_COLUMNS[kind].get(name, name)
                issues.append(
                    Issue(
                        row_number,
                        key,
                        text,
                        "masked",
                        str(
                            _(
                                "The NIK is masked (digits hidden with *), as in an export "
                                "without full numbers. Export again with full numbers, or type "
                                "the number."
                            )
                        ),
                    )
                )
        if any(i.severity == ERROR for i in issues):
            return None, issues
        record = {
            "r": row_number,
            "k": kind,
            "rt": rt_id,
            "d": report_date.isoformat(),
            "id": report_id,
            "f": {k: _json(v) for k, v in details.items()},
            "p": sorted(present),
            "m": masked,
            "n": data.get("note") if self.columns.has("note") else None,
            "fu": data.get("follow_up") if kind == ReportKind.ISSUE else None,
            "nm": data.get("resident_name") if kind == ReportKind.DEATH else None,
        }
        return record, issues

    def _missing(self, row_number: int, key: str, message) -> Issue:
        return Issue(row_number, key, "", Code.REQUIRED, str(message))

    def _kind(self, row_number: int, data: dict, issues: list[Issue]):
        value = data.get("kind")
        if value is None:
            if not any(i.key == "kind" for i in issues):
                issues.append(
                    self._missing(row_number, "kind", _("The kind of report is required."))
                )
            return None, None
        kind, _sep, issue_type = value.partition(":")
        if kind == ReportKind.ISSUE and not issue_type:
            issues.append(
                Issue(
                    row_number,
                    "kind",
                    KINDS.render(value),
                    Code.INVALID,
                    str(_("Write whether it is a Permasalahan, a Kebutuhan or a Potensi.")),
                )
            )
            return None, None
        return kind, issue_type or None

    def _category(self, row_number, kind, value, values, issues) -> str | None:
        try:
            return CATEGORY_TABLES[kind].parse(value)
        except CellError as exc:
            raw = text_of(self.cell(values, "category"))
            issues.append(Issue(row_number, "category", raw, exc.code, str(exc.message)))
            return None

    def _foreign_cells(self, row_number, kind, issue_type, data, values) -> list[Issue]:
        """Filled cells of columns this kind does not use: said, not silently dropped."""
        own = COMMON_KEYS | kind_keys(kind)
        label = kind_label(kind, issue_type)
        out = []
        for key, value in data.items():
            if key in own or value in (None, "", []) or key == "rw":
                continue
            out.append(
                Issue(
                    row_number,
                    key,
                    text_of(self.cell(values, key)),
                    "not_for_this_kind",
                    str(
                        _("A %(kind)s report has no such field; this cell is not imported.")
                        % {"kind": label}
                    ),
                    WARNING,
                )
            )
        return out

    def restore(self, index: int, record: dict) -> None:
        day = dt.date.fromisoformat(record["d"])
        nik = record["f"].get("resident_nik") or ""
        title = record["f"].get("title") or ""
        if record["id"]:
            key, shown = ("id", record["id"]), str(record["id"])
        elif record["k"] == ReportKind.DEATH and nik:
            key, shown = bulk.natural_key(ReportKind.DEATH, 0, day, nik=nik), nik
        elif record["k"] == ReportKind.DEATH:
            key, shown = ("row", record["r"]), ""  # no NIK: refused by the checks
        else:
            key = bulk.natural_key(record["k"], record["rt"], day, title=title)
            shown = title if record["k"] != ReportKind.NIHIL else f"{day:%d-%m-%Y}"
        self.meta.append((record["r"], key, shown))
        self.by_key[key].append(index)

    def cross_row(self) -> list[Issue]:
        issues = []
        for key, indices in self.by_key.items():
            if len(indices) < 2:
                continue
            rows = ", ".join(str(self.meta[i][0]) for i in indices)
            if key[0] == "id":
                column, message = (
                    "report_id",
                    _("This report number appears more than once in the file (rows %(rows)s)."),
                )
            elif key[0] == ReportKind.DEATH:
                column, message = (
                    "resident_nik",
                    _(
                        "The death of this resident appears more than once in the file "
                        "(rows %(rows)s)."
                    ),
                )
            elif key[0] == ReportKind.NIHIL:
                column, message = (
                    "report_date",
                    _(
                        "A nihil report for this RT and day appears more than once in the file "
                        "(rows %(rows)s)."
                    ),
                )
            else:
                column, message = (
                    "title",
                    _(
                        "The same report (day, RT, kind and title) appears more than once in the "
                        "file (rows %(rows)s); give each report its own title."
                    ),
                )
            for i in indices:
                self.invalid.add(i)
                issues.append(
                    Issue(
                        self.meta[i][0],
                        column,
                        self.meta[i][2],
                        "report_duplicate_in_file",
                        str(message % {"rows": rows}),
                    )
                )
        return issues

    def chunks(self) -> Iterator[list[int]]:
        valid = [i for i in range(len(self.meta)) if i not in self.invalid]
        for start in range(0, len(valid), CHUNK_ROWS):
            yield valid[start : start + CHUNK_ROWS]

    # -- checking ---------------------------------------------------------------------

    def process(self, chunk: list[int], *, write: bool) -> ChunkResult:
        if self.bulk is None or self.bulk.write != write:
            self.bulk = bulk.ReportBulkImport(actor=self.actor, write=write)
        records = self.cache.read(chunk)
        inputs = []
        self._values = {}
        for record in records:
            details = {k: _decode(k, v) for k, v in record["f"].items()}
            rt = self.rt_index[record["rt"]]
            inputs.append(
                bulk.ReportInput(
                    ref=record["r"],
                    kind=record["k"],
                    rt=rt,
                    report_date=dt.date.fromisoformat(record["d"]),
                    details=details,
                    present=frozenset(record["p"]),
                    note=record["n"],
                    report_id=record["id"],
                    masked=record["m"],
                    follow_up=record["fu"],
                )
            )
            self._values[record["r"]] = self._row_values(record, details, rt)
        outcomes = self.bulk.process(inputs)
        issues: list[Issue] = []
        secondary: Counter = Counter()
        names = {record["r"]: record["nm"] for record in records}
        for inp, out in zip(inputs, outcomes, strict=True):
            issues += [self._issue(inp, p, ERROR) for p in out.errors]
            issues += [self._issue(inp, p, WARNING) for p in out.warnings]
            if out.action == bulk.NEW and out.state == State.SUBMITTED:
                secondary["new"] += 1
            if inp.kind == ReportKind.DEATH and names[inp.ref] and out.action != bulk.INVALID:
                issues += self._name_check(inp, names[inp.ref])
        return ChunkResult(
            actions={out.ref: out.action for out in outcomes}, issues=issues, secondary=secondary
        )

    def _row_values(self, record: dict, details: dict, rt) -> dict:
        """The row's values by column key, to show with its problems."""
        kind = record["k"]
        out: dict[str, Any] = {
            "report_id": record["id"],
            "report_date": dt.date.fromisoformat(record["d"]),
            "rt": rt,
            "note": record["n"],
            "follow_up": record["fu"],
            "kind": f"issue:{details['issue_type']}" if kind == ReportKind.ISSUE else kind,
        }
        for key, name in DETAIL_FIELDS.get(kind, {}).items():
            if name in details:
                out[key] = details[name]
        for name, text in record["m"].items():
            out[PROBLEM_COLUMNS[kind].get(name, name)] = Masked(text)
        return out

    def _issue(self, inp: bulk.ReportInput, problem, severity: str) -> Issue:
        key = PROBLEM_COLUMNS.get(inp.kind, {}).get(problem.field, problem.field)
        if key == "location" and not self.columns.has("location"):
            key = "place"
        message = str(problem.message)
        if problem.code == "report_exists_differs":
            keys = [PROBLEM_COLUMNS.get(inp.kind, {}).get(f, f) for f in problem.params["fields"]]
            keys.sort(key=lambda k: self.columns.index_of.get(k, len(self.columns.columns)))
            key = keys[0]
            headers = ", ".join(self._header(k) for k in keys)
            # "… or remove it (columns: Judul, Uraian)." rather than "… remove it. (columns: …)"
            message = f"{message.rstrip().rstrip('.')} ({_('columns')}: {headers})."
        elif problem.code == Code.REQUIRED and key and not self.columns.has(key):
            message = str(
                _("The file has no “%(column)s” column, which this kind of report needs.")
                % {"column": self._header(key)}
            )
        value = self._values.get(inp.ref, {}).get(key)
        if isinstance(value, Masked):
            shown = str(value)
        elif key == "category" and inp.kind in CATEGORY_TABLES:
            shown = CATEGORY_TABLES[inp.kind].render(value)
        else:
            shown = self.render(key, value)
        return Issue(inp.ref, key, shown, problem.code, message, severity)

    def _header(self, key: str) -> str:
        column = ReportResource.header_index().get(norm_key(key))
        return self.columns.header_of(key) or (str(column.column_name) if column else key)

    def _name_check(self, inp: bulk.ReportInput, name: str) -> list[Issue]:
        resident = self.bulk.residents.get(inp.details.get("resident_nik") or "")
        if resident is None or norm_key(resident.name) == norm_key(name):
            return []
        return [
            Issue(
                inp.ref,
                "resident_name",
                name,
                "name_differs",
                str(
                    _(
                        "The resident with this NIK is called “%(name)s”; check that the NIK "
                        "is the deceased's."
                    )
                    % {"name": resident.name}
                ),
                WARNING,
            )
        ]


@register
class ReportImportKind(Kind):
    key = "reports"
    label = _("Historical RT reports (one row per report)")
    resource_class = ReportResource
    # Imported reports are approved records: only those who decide on reports
    # may import them (kelurahan staff, the Lurah, the city administrator).
    cap = Cap.REPORT_DECIDE
    row_entity = _("reports")
    secondary_entity = _("death reports to approve")

    def start(self, *, job, actor, columns, regions: RegionIndex) -> Session:
        return ReportSession(job=job, actor=actor, columns=columns, regions=regions)
