"""The RT list of a kelurahan: one row per RT (regions are data, not code)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.imports.cells import CellError
from backend.imports.kinds.base import ERROR, ChunkResult, Issue, Kind, Session, register
from backend.imports.readers import text_of
from backend.imports.resources import RTResource
from backend.wilayah.bulk import RtInput, rt_bulk_upsert
from backend.wilayah.models import Kelurahan

CHUNK_ROWS = 2000


class RtListSession(Session):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cache = None
        self.checked_as_new: frozenset[int] = frozenset()
        self.meta: list[tuple[int, tuple]] = []
        self.by_key: dict[tuple, list[int]] = defaultdict(list)
        self.invalid: set[int] = set()
        self.kelurahan = {k.pk: k for k in Kelurahan.objects.select_related("kecamatan")}

    def parse(self, row_number: int, values: list):
        keys = ("kelurahan", "kelurahan_code", "rw", "rt", "ketua_name", "is_active")
        data, issues = self.read_cells(row_number, values, keys)
        rt_rw = data.get("rt")
        if rt_rw is None and not any(i.key == "rt" for i in issues):
            issues.append(
                Issue(row_number, "rt", "", "required", str(_("The RT number is required.")))
            )
        key = "kelurahan_code" if data.get("kelurahan_code") else "kelurahan"
        try:
            kelurahan = self.regions.kelurahan(data.get("kelurahan_code"), data.get("kelurahan"))
        except CellError as exc:
            raw = text_of(self.cell(values, key))
            issues.append(Issue(row_number, key, raw, exc.code, str(exc.message)))
        if any(i.severity == ERROR for i in issues):
            return None, issues
        number, rw_from_rt = rt_rw
        record = {
            "r": row_number,
            "kel": kelurahan.pk,
            "rw": data.get("rw") or rw_from_rt,
            "n": number,
            "f": {k: data[k] for k in ("ketua_name", "is_active") if k in data},
        }
        return record, issues

    def restore(self, index: int, record: dict) -> None:
        key = (record["kel"], record["rw"], record["n"])
        self.meta.append((record["r"], key))
        self.by_key[key].append(index)

    def cross_row(self) -> list[Issue]:
        issues = []
        for indices in self.by_key.values():
            if len(indices) > 1:
                rows = ", ".join(str(self.meta[i][0]) for i in indices)
                for i in indices:
                    self.invalid.add(i)
                    issues.append(
                        Issue(
                            self.meta[i][0],
                            "rt",
                            f"{self.meta[i][1][2]:03d}",
                            "rt_duplicate_in_file",
                            str(
                                _("This RT appears more than once in the file (rows %(rows)s).")
                                % {"rows": rows}
                            ),
                        )
                    )
        return issues

    def chunks(self) -> Iterator[list[list[int]]]:
        valid = [[i] for i in range(len(self.meta)) if i not in self.invalid]
        for start in range(0, len(valid), CHUNK_ROWS):
            yield valid[start : start + CHUNK_ROWS]

    def process(self, chunk: list[list[int]], *, write: bool) -> ChunkResult:
        records = self.cache.read([i for group in chunk for i in group])
        inputs = [
            RtInput(
                ref=r["r"],
                kelurahan=self.kelurahan[r["kel"]],
                number=r["n"],
                rw=r["rw"],
                fields=r["f"],
            )
            for r in records
        ]
        outcomes, rw_counts = rt_bulk_upsert(actor=self.actor, rows=inputs, write=write)
        values = {r["r"]: r for r in records}
        issues = [
            Issue(
                out.ref,
                p.field,
                text_of(self.kelurahan[values[out.ref]["kel"]]) if p.field == "kelurahan" else "",
                p.code,
                str(p.message),
            )
            for out in outcomes
            for p in out.errors
        ]
        return ChunkResult(
            actions={out.ref: out.action for out in outcomes},
            issues=issues,
            secondary=rw_counts,
        )


@register
class RtListKind(Kind):
    key = "rt_list"
    label = _("RT list of a kelurahan")
    resource_class = RTResource
    cap = Cap.REGION_CHANGE
    row_entity = _("RT")
    secondary_entity = _("RW")

    def start(self, *, job, actor, columns, regions) -> Session:
        return RtListSession(job=job, actor=actor, columns=columns, regions=regions)
