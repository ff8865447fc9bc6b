"""What every kind of import shares, and the registry a new kind plugs into.

A kind (residents, households, the RT list, historical reports) supplies:

- ``resource_class``: its columns (``backend.imports.resources``);
- ``cap``: the capability that lets a user start it, and ``kelurahan_ok``;
- a session (``start``) that reads one row at a time into a JSON record,
  runs the checks that span rows, groups the records into chunks, and checks
  (and, when writing, applies) a chunk through the domain's bulk service.

The job runner (``backend.imports.runner``) does the rest: the file, the
header, progress, problems, counts, the transaction and the job's status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.imports.cells import CellError, norm_key
from backend.imports.columns import ColumnMap
from backend.imports.readers import Formula, text_of
from backend.imports.resources import LaporResource
from backend.wilayah.models import RT, Kelurahan

ERROR, WARNING = "error", "warning"


@dataclass(slots=True)
class Issue:
    """A problem with a row, before it is stored as an ``ImportProblem``."""

    row: int | None
    key: str | None
    value: str
    code: str
    message: str
    severity: str = ERROR


@dataclass
class ChunkResult:
    # row number -> action (new/updated/unchanged/invalid)
    actions: dict[int, str]
    issues: list[Issue]
    # secondary entity counts (households of a resident import)
    secondary: Counter = field(default_factory=Counter)
    # rows whose field rules passed for a new record (the run need not repeat them)
    valid_as_new: set[int] = field(default_factory=set)


def formula_message(cell: Formula) -> str:
    result = text_of(cell.result)
    message = _(
        "This cell holds a formula (%(formula)s), not a typed value; the column must hold "
        "the value itself. Copy the column and paste it back as values only (Paste "
        "Special, Values), then upload the file again."
    ) % {"formula": str(cell)[:80]}
    if result:
        message += " " + _("The formula's last result was “%(result)s”.") % {"result": result}
    return str(message)


class RegionIndex:
    """Kelurahan and RT rows, loaded once, to turn ``RT 003`` into an RT row."""

    def __init__(self, default_kelurahan: Kelurahan) -> None:
        self.default = default_kelurahan
        kelurahan = list(Kelurahan.objects.select_related("kecamatan"))
        self.kelurahan_by_code = {k.code: k for k in kelurahan}
        by_name: dict[str, list[Kelurahan]] = {}
        for k in kelurahan:
            by_name.setdefault(norm_key(k.name), []).append(k)
        self.kelurahan_by_name = by_name
        self.rts: dict[tuple[int, int | None, int], RT] = {}
        self.has_rw: set[int] = set()
        self.rt_by_id: dict[int, RT] = {}
        for rt in RT.objects.select_related("kelurahan__kecamatan", "rw"):
            rw = rt.rw.number if rt.rw_id else None
            self.rts[(rt.kelurahan_id, rw, rt.number)] = rt
            self.rt_by_id[rt.pk] = rt
            if rw is not None:
                self.has_rw.add(rt.kelurahan_id)

    def kelurahan(self, code: str | None, name: str | None) -> Kelurahan:
        """The row's kelurahan: by code, else by name, else the job's kelurahan."""
        if code:
            found = self.kelurahan_by_code.get(code.strip())
            if found is None:
                raise CellError(
                    "unknown_kelurahan",
                    _("Kelurahan code %(code)s is not known.") % {"code": code},
                )
            return found
        if name:
            key = norm_key(name.removeprefix("Kel.").removeprefix("Kelurahan"))
            found = self.kelurahan_by_name.get(key, [])
            if len(found) == 1:
                return found[0]
            if not found:
                raise CellError(
                    "unknown_kelurahan",
                    _("Kelurahan “%(name)s” is not known.") % {"name": name},
                )
            raise CellError(
                "ambiguous_kelurahan",
                _("More than one kelurahan is called “%(name)s”; use the kelurahan code.")
                % {"name": name},
            )
        return self.default

    def rt(self, kelurahan: Kelurahan, number: int, rw: int | None) -> RT:
        if kelurahan.pk not in self.has_rw:
            rw = None  # Balikpapan has no RW: a stray RW number means nothing
        found = self.rts.get((kelurahan.pk, rw, number))
        if found is None:
            values = {"number": f"{number:03d}", "rw": f"{rw or 0:03d}", "kelurahan": kelurahan}
            message = (
                _("RT %(number)s / RW %(rw)s does not exist in %(kelurahan)s. Add it first.")
                if rw
                else _(
                    "RT %(number)s does not exist in %(kelurahan)s. Add it to the RT list first."
                )
            )
            raise CellError("unknown_rt", message % values)
        return found


class Session:
    """One pass of one job through a kind (a dry run, or the run)."""

    def __init__(self, *, job, actor, columns: ColumnMap, regions: RegionIndex) -> None:
        self.job = job
        self.actor = actor
        self.columns = columns
        self.regions = regions

    def cell(self, values: list, key: str) -> Any:
        position = self.columns.index_of.get(key)
        if position is None:
            return None
        index = self.columns.columns[position].index
        return values[index] if index < len(values) else None

    def read_cells(self, row_number: int, values: list, keys) -> tuple[dict, list[Issue]]:
        """Every present column among ``keys`` through its widget: (values, issues)."""
        out: dict[str, Any] = {}
        issues: list[Issue] = []
        for key in keys:
            if not self.columns.has(key):
                continue
            raw = self.cell(values, key)
            if isinstance(raw, Formula):
                issues.append(Issue(row_number, key, str(raw), "formula", formula_message(raw)))
                continue
            try:
                out[key] = self.columns.by_key[key].widget.clean(raw)
            except CellError as exc:
                issues.append(Issue(row_number, key, text_of(raw), exc.code, str(exc.message)))
        return out, issues

    def _region(self, row_number: int, data: dict, values: list) -> tuple[int | None, list[Issue]]:
        """The id of the row's RT (from its RT, RW and kelurahan columns), or its issues."""
        rt_rw = data.get("rt")
        if rt_rw is None:
            return None, []
        number, rw_from_rt = rt_rw
        rw = data.get("rw") or rw_from_rt
        key = "kelurahan_code" if data.get("kelurahan_code") else "kelurahan"
        try:
            kelurahan = self.regions.kelurahan(data.get("kelurahan_code"), data.get("kelurahan"))
        except CellError as exc:
            raw = text_of(self.cell(values, key))
            return None, [Issue(row_number, key, raw, exc.code, str(exc.message))]
        try:
            return self.regions.rt(kelurahan, number, rw).pk, []
        except CellError as exc:
            raw = text_of(self.cell(values, "rt"))
            return None, [Issue(row_number, "rt", raw, exc.code, str(exc.message))]

    # What a kind implements.

    def parse(self, row_number: int, values: list) -> tuple[Any | None, list[Issue]]:
        raise NotImplementedError

    def restore(self, index: int, record: Any) -> None:
        """Rebuild what ``parse`` remembered about a record (the run reads the cache)."""
        raise NotImplementedError

    def cross_row(self) -> list[Issue]:
        return []

    def chunks(self) -> Iterator[list[int]]:
        raise NotImplementedError

    def process(self, records: list[Any], *, write: bool) -> ChunkResult:
        raise NotImplementedError

    def finish(self, *, write: bool) -> ChunkResult | None:
        return None

    def render(self, key: str | None, value: Any) -> str:
        column = self.columns.by_key.get(key) if key else None
        if column is None or value is None:
            return text_of(value)
        rendered = column.widget.render(value)
        return text_of(rendered)


class Kind:
    key: ClassVar[str]
    label: ClassVar[Any]
    resource_class: ClassVar[type[LaporResource]]
    cap: ClassVar[str] = Cap.POPULATION_IMPORT
    #: the entity counted per row, and the secondary entity (households)
    row_entity: ClassVar[Any] = _("rows")
    secondary_entity: ClassVar[Any] = None

    def kelurahan_ok(self, actor, kelurahan: Kelurahan) -> bool:
        return actor.scope.can_in_kelurahan(self.cap, kelurahan)

    def start(self, *, job, actor, columns: ColumnMap, regions: RegionIndex) -> Session:
        raise NotImplementedError


REGISTRY: dict[str, Kind] = {}


def register(kind_class: type[Kind]) -> type[Kind]:
    REGISTRY[kind_class.key] = kind_class()
    return kind_class


def get_kind(key: str) -> Kind:
    from backend.imports import kinds  # noqa: F401 (registers the kinds)

    return REGISTRY[key]


def kind_choices() -> list[tuple[str, Any]]:
    from backend.imports import kinds  # noqa: F401

    return [(k.key, k.label) for k in REGISTRY.values()]
