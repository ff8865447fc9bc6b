"""Residents (one row per person, the KK repeated) and households (one row per KK)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from backend.imports.cells import norm_key
from backend.imports.codelists import marriage_recorded_from_text
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
from backend.imports.resources import HouseholdResource, ResidentResource
from backend.population import identity
from backend.population.bulk import (
    HOUSEHOLD_IMPORT_FIELDS,
    Group,
    ResidentBulkImport,
    ResidentInput,
    RtIndex,
)
from backend.population.models import Resident

CHUNK_ROWS = 2000

RESIDENT_KEYS = tuple(
    f.name
    for f in Resident._meta.concrete_fields
    if f.name not in ("id", "household", "rt", "created_at", "updated_at")
)
DATE_KEYS = frozenset(
    {"birth_date", "marriage_date", "status_date", "ikd_activated_on", "issued_on"}
)
REGION_KEYS = ("rt", "rw", "kelurahan", "kelurahan_code")


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _decode(values: dict) -> dict:
    return {
        k: (dt.date.fromisoformat(v) if k in DATE_KEYS and isinstance(v, str) else v)
        for k, v in values.items()
    }


class _PopulationSession(Session):
    """Reading rows: cells, NIK/KK digit rules, the RT of the row."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cache = None
        self.checked_as_new: frozenset[int] = frozenset()
        self.rt_index = RtIndex()
        self.rt_index.add(self.regions.rt_by_id.values())

    def _number_rules(self, row_number: int, data: dict, values: list) -> list[Issue]:
        issues = []
        for key, rules in (("nik", identity.nik_errors), ("no_kk", identity.kk_errors)):
            if data.get(key):
                issues += [
                    Issue(row_number, key, text_of(self.cell(values, key)), p.code, str(p.message))
                    for p in rules(data[key])
                ]
        return issues

    def _issues_from(self, row) -> list[Issue]:
        out = [self._issue(row.ref, p, ERROR) for p in row.errors]
        out += [self._issue(row.ref, p, WARNING) for p in row.warnings]
        return out

    def _issue(self, ref: int, problem, severity: str) -> Issue:
        key = problem.field
        value = self._values.get(ref, {}).get(key)
        return Issue(
            ref, key, self.render(key, value), problem.code, str(problem.message), severity
        )


class ResidentSession(_PopulationSession):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.meta: list[tuple[int, str | None, str | None, tuple | None]] = []
        self.by_nik: dict[str, list[int]] = defaultdict(list)
        self.by_person: dict[tuple, list[int]] = defaultdict(list)
        self.invalid: set[int] = set()
        self._values: dict[int, dict] = {}
        self.bulk = None

    # -- reading --------------------------------------------------------------

    def parse(self, row_number: int, values: list):
        keys = (*RESIDENT_KEYS, "no_kk", *HOUSEHOLD_IMPORT_FIELDS, *REGION_KEYS)
        data, issues = self.read_cells(row_number, values, keys)
        if "phone" in data:
            data["phone"], remark = data["phone"]
            if remark:
                raw = text_of(self.cell(values, "phone"))
                issues.append(Issue(row_number, "phone", raw, "phone_number_cell", remark, WARNING))
        if "marital_status" in data and not self.columns.has("marriage_recorded"):
            recorded = marriage_recorded_from_text(self.cell(values, "marital_status"))
            if recorded is not None:
                data["marriage_recorded"] = recorded
        issues += self._number_rules(row_number, data, values)
        rt_id, region_issues = self._region(row_number, data, values)
        issues += region_issues
        if any(i.severity == ERROR for i in issues):
            return None, issues
        record = {
            "r": row_number,
            "f": {k: _json_value(data[k]) for k in RESIDENT_KEYS if k in data},
            "kk": data.get("no_kk"),
            "h": {k: _json_value(data[k]) for k in HOUSEHOLD_IMPORT_FIELDS if k in data},
            "rt": rt_id,
        }
        return record, issues

    def restore(self, index: int, record: dict) -> None:
        fields = record["f"]
        nik = fields.get("nik")
        person = None
        if not nik and fields.get("name") and fields.get("birth_date"):
            place = record["kk"] or ("rt", record["rt"])
            person = (place, norm_key(fields["name"]), fields["birth_date"])
        self.meta.append((record["r"], nik, record["kk"], person))
        if nik:
            self.by_nik[nik].append(index)
        elif person:
            self.by_person[person].append(index)

    def cross_row(self) -> list[Issue]:
        issues = []
        for nik, indices in self.by_nik.items():
            if len(indices) > 1:
                rows = ", ".join(str(self.meta[i][0]) for i in indices)
                for i in indices:
                    self.invalid.add(i)
                    issues.append(
                        Issue(
                            self.meta[i][0],
                            "nik",
                            nik,
                            "nik_duplicate_in_file",
                            str(
                                _(
                                    "This NIK appears more than once in the file (rows %(rows)s); "
                                    "each resident has exactly one row."
                                )
                                % {"rows": rows}
                            ),
                        )
                    )
        for indices in self.by_person.values():
            if len(indices) > 1:
                rows = ", ".join(str(self.meta[i][0]) for i in indices)
                for i in indices:
                    self.invalid.add(i)
                    issues.append(
                        Issue(
                            self.meta[i][0],
                            "name",
                            "",
                            "person_duplicate_in_file",
                            str(
                                _(
                                    "A resident without a NIK with this name and date of birth "
                                    "appears more than once in this KK or RT (rows %(rows)s)."
                                )
                                % {"rows": rows}
                            ),
                        )
                    )
        return issues

    def file_niks(self) -> frozenset[str]:
        return frozenset(nik for nik, idx in self.by_nik.items() if len(idx) == 1)

    def chunks(self) -> Iterator[list[int]]:
        groups: dict[str | None, list[int]] = defaultdict(list)
        loose: list[int] = []
        for i, (_row, _nik, kk, _person) in enumerate(self.meta):
            if i in self.invalid:
                continue
            if kk:
                groups[kk].append(i)
            else:
                loose.append(i)
        chunk: list[list[int]] = []
        size = 0
        for indices in groups.values():
            chunk.append(indices)
            size += len(indices)
            if size >= CHUNK_ROWS:
                yield chunk
                chunk, size = [], 0
        for start in range(0, len(loose), CHUNK_ROWS):
            part = loose[start : start + CHUNK_ROWS]
            if size + len(part) > CHUNK_ROWS and chunk:
                yield chunk
                chunk, size = [], 0
            chunk.append(part)
            size += len(part)
        if chunk:
            yield chunk

    # -- checking ---------------------------------------------------------------

    def _bulk(self, write: bool) -> ResidentBulkImport:
        if self.bulk is None or self.bulk.write != write:
            self.bulk = ResidentBulkImport(
                actor=self.actor, write=write, file_niks=self.file_niks(), rts=self.rt_index
            )
        return self.bulk

    def process(self, chunk: list[list[int]], *, write: bool) -> ChunkResult:
        bulk = self._bulk(write)
        groups = []
        self._values = {}
        for indices in chunk:
            records = self.cache.read(indices)
            inputs = []
            for record in records:
                fields = _decode(record["f"])
                household_fields = _decode(record["h"])
                self._values[record["r"]] = {
                    **fields,
                    **household_fields,
                    "no_kk": record["kk"],
                    "rt": self.rt_index[record["rt"]] if record["rt"] else None,
                }
                inputs.append(
                    ResidentInput(
                        ref=record["r"],
                        fields=fields,
                        rt=self.rt_index[record["rt"]] if record["rt"] else None,
                        no_kk=record["kk"],
                        household_fields=household_fields,
                        checked_as_new=record["r"] in self.checked_as_new,
                    )
                )
            groups.append(Group(no_kk=records[0]["kk"], rows=inputs))
        outcome = bulk.process(groups)
        issues = [issue for row in outcome.rows for issue in self._issues_from(row)]
        return ChunkResult(
            actions={row.ref: row.action for row in outcome.rows},
            issues=issues,
            secondary=outcome.households,
            valid_as_new={row.ref for row in outcome.rows if row.valid_as_new},
        )

    def finish(self, *, write: bool) -> ChunkResult | None:
        if self.bulk is None:
            return None
        late = self.bulk.finish()
        if not late:
            return None
        return ChunkResult(
            actions={row.ref: row.action for row in late},
            issues=[i for row in late for i in self._issues_from(row)],
        )


@register
class ResidentKind(Kind):
    key = "residents"
    label = _("Residents (one row per resident)")
    resource_class = ResidentResource
    row_entity = _("residents")
    secondary_entity = _("households (KK)")

    def start(self, *, job, actor, columns, regions: RegionIndex) -> Session:
        return ResidentSession(job=job, actor=actor, columns=columns, regions=regions)


class HouseholdSession(_PopulationSession):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.meta: list[tuple[int, str]] = []
        self.by_kk: dict[str, list[int]] = defaultdict(list)
        self.invalid: set[int] = set()
        self._values: dict[int, dict] = {}
        self.bulk = None

    def parse(self, row_number: int, values: list):
        keys = ("no_kk", *HOUSEHOLD_IMPORT_FIELDS, *REGION_KEYS)
        data, issues = self.read_cells(row_number, values, keys)
        if not data.get("no_kk"):
            issues.append(
                Issue(
                    row_number,
                    "no_kk",
                    "",
                    "required",
                    str(_("The KK number is required.")),
                )
            )
        issues += self._number_rules(row_number, data, values)
        rt_id, region_issues = self._region(row_number, data, values)
        issues += region_issues
        if any(i.severity == ERROR for i in issues):
            return None, issues
        record = {
            "r": row_number,
            "kk": data["no_kk"],
            "h": {k: _json_value(data[k]) for k in HOUSEHOLD_IMPORT_FIELDS if k in data},
            "rt": rt_id,
        }
        return record, issues

    def restore(self, index: int, record: dict) -> None:
        self.meta.append((record["r"], record["kk"]))
        self.by_kk[record["kk"]].append(index)

    def cross_row(self) -> list[Issue]:
        issues = []
        for kk, indices in self.by_kk.items():
            if len(indices) > 1:
                rows = ", ".join(str(self.meta[i][0]) for i in indices)
                for i in indices:
                    self.invalid.add(i)
                    issues.append(
                        Issue(
                            self.meta[i][0],
                            "no_kk",
                            kk,
                            "kk_duplicate_in_file",
                            str(
                                _(
                                    "This KK number appears more than once in the file "
                                    "(rows %(rows)s)."
                                )
                                % {"rows": rows}
                            ),
                        )
                    )
        return issues

    def chunks(self) -> Iterator[list[int]]:
        valid = [[i] for i in range(len(self.meta)) if i not in self.invalid]
        for start in range(0, len(valid), CHUNK_ROWS):
            yield valid[start : start + CHUNK_ROWS]

    def process(self, chunk: list[list[int]], *, write: bool) -> ChunkResult:
        if self.bulk is None or self.bulk.write != write:
            self.bulk = ResidentBulkImport(
                actor=self.actor, write=write, rts=self.rt_index, households_only=True
            )
        records = self.cache.read([i for group in chunk for i in group])
        groups = []
        self._values = {}
        for record in records:
            household_fields = _decode(record["h"])
            rt = self.rt_index[record["rt"]] if record["rt"] else None
            self._values[record["r"]] = {**household_fields, "no_kk": record["kk"], "rt": rt}
            groups.append(
                Group(
                    no_kk=record["kk"],
                    rows=[
                        ResidentInput(
                            ref=record["r"],
                            fields={},
                            rt=rt,
                            no_kk=record["kk"],
                            household_fields=household_fields,
                        )
                    ],
                )
            )
        outcome = self.bulk.process(groups)
        return ChunkResult(
            actions={row.ref: row.action for row in outcome.rows},
            issues=[i for row in outcome.rows for i in self._issues_from(row)],
        )


@register
class HouseholdKind(Kind):
    key = "households"
    label = _("Households (one row per KK)")
    resource_class = HouseholdResource
    row_entity = _("households (KK)")

    def start(self, *, job, actor, columns, regions: RegionIndex) -> Session:
        return HouseholdSession(job=job, actor=actor, columns=columns, regions=regions)
