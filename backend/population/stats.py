"""Population figures computed in SQL, scoped to what the actor may read.

One set of conditional ``COUNT``s, usable two ways:

- as annotations on region rows (``RT``, ``Kelurahan``, ``Kecamatan``), so a
  list of regions gets its figures in the same statement (GraphQL nested
  aggregates, dashboards): every figure is a correlated subquery on the
  region row (the resident counts together, as one JSON object), never a
  join grouped by region. SQLite evaluates a correlated subquery of a
  grouped query once per joined row, which made a kecamatan's figures take
  seconds; one subquery per region row costs milliseconds on both databases;
- as ``aggregate()`` over a resident queryset (one region's totals).

Residents outside the actor's scope are never counted, also when the region
row itself is visible only as the path to the actor's RT.

Non-permanent residents (one rule, used by GraphQL and the admin dashboard):

- the kelurahan's **register** holds residents with residency "tidak tetap"
  (from SIAK/OpenSID imports or typed by staff);
- an RT **reports** a stay (``reports.NonPermanentStay``, Buku Penduduk
  Sementara), opened and closed by approved reports;
- ``non_permanent`` counts both (living register residents "tidak tetap" and
  open stays), ``open_stays`` the stays alone, and ``living`` is
  ``permanent + non_permanent``. A stay is never opened for a NIK that is a
  living resident of the same kelurahan's register
  (``backend.reports.kinds``), so nobody is counted twice there.

The other direction (registering or importing a living resident whose NIK
has an open stay in the same kelurahan) is allowed, with a warning
(``population.services.resident_warnings``): the register is the better
record. From then on the stay is no longer counted (``counted_stays``), so
nobody is counted twice while the RT has not yet sent the end-of-stay report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Count, Exists, IntegerField, JSONField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject

from backend.accounts.roles import Cap
from backend.population.age import AGE_BANDS, age_band_q, today_wita
from backend.population.codes import LifeStatus, Residency, Sex
from backend.population.models import Household, Resident

if TYPE_CHECKING:
    from django.db.models import QuerySet

PREFIX = "stats_"


def _f(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


def _simple_conditions(path: str) -> dict[str, Q]:
    alive = Q(**{_f(path, "status"): LifeStatus.ALIVE})
    permanent = alive & Q(**{_f(path, "residency"): Residency.PERMANENT})
    return {
        "living": alive,
        "permanent": permanent,
        "non_permanent": alive & Q(**{_f(path, "residency"): Residency.NON_PERMANENT}),
        "male": permanent & Q(**{_f(path, "sex"): Sex.MALE}),
        "female": permanent & Q(**{_f(path, "sex"): Sex.FEMALE}),
        "deceased": Q(**{_f(path, "status"): LifeStatus.DECEASED}),
        "moved": Q(**{_f(path, "status"): LifeStatus.MOVED}),
        "ikd_activated": permanent & Q(**{_f(path, "ikd_activated"): True}),
        "without_nik": alive & Q(**{_f(path, "nik__isnull"): True}),
    }


def _conditions(path: str, today: date) -> dict[str, Q]:
    conditions = _simple_conditions(path)
    permanent = conditions["permanent"]
    for band in AGE_BANDS:
        in_band = permanent & age_band_q(band, today=today, path=_f(path, "birth_date"))
        key = band_key(band.key)
        conditions[f"{key}_male"] = in_band & Q(**{_f(path, "sex"): Sex.MALE})
        conditions[f"{key}_female"] = in_band & Q(**{_f(path, "sex"): Sex.FEMALE})
    return conditions


def band_key(band: str) -> str:
    return "age_" + band.replace("-", "_").replace("+", "_plus")


STAT_NAMES: tuple[str, ...] = tuple(_conditions("", date(2000, 1, 1)))


def resident_count_expressions(
    scope, *, resident_path: str, rt_path: str, today: date | None = None
) -> dict[str, Count]:
    """``{stats_<name>: Count(...)}`` for annotating rows that reach residents via
    ``resident_path`` and their RT via ``rt_path`` ('' when the row is the RT)."""
    today = today or today_wita()
    in_scope = scope.rt_q(Cap.POPULATION_VIEW, rt_path)
    target = resident_path or "pk"
    return {
        f"{PREFIX}{name}": Count(target, filter=condition & in_scope)
        for name, condition in _conditions(resident_path, today).items()
    }


def resident_figures_expression(scope, *, outer_lookup: str, today: date | None = None):
    """Every resident figure of the outer region row as one JSON object (a correlated
    subquery; ``outer_lookup`` as for households: ``rt``, ``rt__kelurahan``...)."""
    today = today or today_wita()
    figures = (
        Resident.objects.filter(**{outer_lookup: OuterRef("pk")})
        .filter(scope.rt_q(Cap.POPULATION_VIEW, "rt"))
        .order_by()
        .values(outer_lookup)
        .annotate(
            figures=JSONObject(
                **{
                    name: Count("pk", filter=condition)
                    for name, condition in _conditions("", today).items()
                }
            )
        )
        .values("figures")
    )
    return Subquery(figures, output_field=JSONField())


def _count_subquery(queryset, scope, outer_lookup: str) -> Coalesce:
    counted = (
        queryset.filter(**{outer_lookup: OuterRef("pk")})
        .filter(scope.rt_q(Cap.POPULATION_VIEW, "rt"))
        .order_by()
        .values(outer_lookup)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def household_count_expression(
    scope, *, outer_lookup: str, needing_update: bool = False
) -> Coalesce:
    """Households in scope whose RT matches the outer row through ``outer_lookup``
    (``rt`` for RT rows, ``rt__kelurahan`` for kelurahan rows...); with
    ``needing_update``, only the KKs flagged for reissue."""
    households = Household.objects.all()
    if needing_update:
        households = households.filter(needs_update=True)
    return _count_subquery(households, scope, outer_lookup)


def open_stays() -> QuerySet:
    """Open non-permanent stays (the reports domain's register; looked up by name so
    that population does not import reports, which builds on population)."""
    return apps.get_model("reports", "NonPermanentStay").objects.filter(end_date__isnull=True)


def counted_stays(stays: QuerySet) -> QuerySet:
    """The open stays among ``stays`` that count as non-permanent residents: not those
    whose person is also a living resident of the same kelurahan's register."""
    registered = Resident.objects.filter(
        nik=OuterRef("nik"),
        status=LifeStatus.ALIVE,
        rt__kelurahan_id=OuterRef("rt__kelurahan_id"),
    )
    # A stay without a NIK matches nobody: residents without one hold NULL, not "".
    return stays.filter(end_date__isnull=True).exclude(Exists(registered))


def stay_count_expression(scope, *, outer_lookup: str) -> Coalesce:
    """Open stays in scope in the region of the outer row (lookups as for households)."""
    return _count_subquery(counted_stays(open_stays()), scope, outer_lookup)


@dataclass
class AgeBandFigure:
    band: str
    label: str
    male: int
    female: int

    @property
    def total(self) -> int:
        return self.male + self.female


@dataclass
class PopulationFigures:
    """``living`` = ``permanent`` + ``non_permanent``; ``non_permanent`` = register
    residents "tidak tetap" + ``open_stays`` (see the module docstring)."""

    living: int = 0
    permanent: int = 0
    non_permanent: int = 0
    open_stays: int = 0
    male: int = 0
    female: int = 0
    deceased: int = 0
    moved: int = 0
    ikd_activated: int = 0
    without_nik: int = 0
    households: int = 0
    kk_needing_update: int = 0
    age_bands: list[AgeBandFigure] = field(default_factory=list)

    @classmethod
    def from_values(
        cls,
        values: dict[str, int],
        households: int = 0,
        open_stays: int = 0,
        kk_needing_update: int = 0,
    ) -> PopulationFigures:
        def get(name: str) -> int:
            return int(values.get(f"{PREFIX}{name}") or 0)

        counts = {name: get(name) for name in _simple_conditions("")}
        counts["non_permanent"] += open_stays
        counts["living"] += open_stays
        return cls(
            **counts,
            open_stays=open_stays,
            households=households,
            kk_needing_update=kk_needing_update,
            age_bands=[
                AgeBandFigure(
                    band=b.key,
                    label=str(b.label),
                    male=get(f"{band_key(b.key)}_male"),
                    female=get(f"{band_key(b.key)}_female"),
                )
                for b in AGE_BANDS
            ],
        )

    @classmethod
    def from_row(cls, row) -> PopulationFigures:
        """From a region row annotated with ``region_count_expressions`` (or some of them)."""
        values = row if isinstance(row, dict) else vars(row)
        values = {k: v for k, v in values.items() if k.startswith(PREFIX)}
        nested = values.pop(f"{PREFIX}residents", None)
        if isinstance(nested, str):  # a backend that hands JSON back as text
            nested = json.loads(nested)
        if nested:
            values.update({f"{PREFIX}{name}": count for name, count in nested.items()})

        def extra(name: str) -> int:
            return int(values.get(f"{PREFIX}{name}") or 0)

        return cls.from_values(
            values,
            households=extra("households"),
            open_stays=extra("open_stays"),
            kk_needing_update=extra("kk_needing_update"),
        )

    def add(self, other: PopulationFigures) -> None:
        """Add ``other``'s counts (totals over several regions)."""
        for name in (*_simple_conditions(""), "open_stays", "households", "kk_needing_update"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if not self.age_bands:
            self.age_bands = [AgeBandFigure(b.band, b.label, 0, 0) for b in other.age_bands]
        for mine, theirs in zip(self.age_bands, other.age_bands, strict=True):
            mine.male += theirs.male
            mine.female += theirs.female


def region_count_expressions(scope, *, outer_lookup: str, today: date | None = None) -> dict:
    """Every figure as annotations on region rows, one correlated subquery each (the
    residents' figures together as ``stats_residents``); ``outer_lookup`` leads from a
    resident or household to the region row (``rt``, ``rt__kelurahan``, ...)."""
    return {
        f"{PREFIX}residents": resident_figures_expression(
            scope, outer_lookup=outer_lookup, today=today
        ),
        f"{PREFIX}households": household_count_expression(scope, outer_lookup=outer_lookup),
        f"{PREFIX}kk_needing_update": household_count_expression(
            scope, outer_lookup=outer_lookup, needing_update=True
        ),
        f"{PREFIX}open_stays": stay_count_expression(scope, outer_lookup=outer_lookup),
    }


def figures_for(scope, residents, households, stays=None) -> PopulationFigures:
    """Totals over already-scoped resident, household and (open) stay querysets
    (three queries; two without ``stays``)."""
    values = residents.aggregate(
        **resident_count_expressions(scope, resident_path="", rt_path="rt")
    )
    return PopulationFigures.from_values(
        values,
        households=households.count(),
        open_stays=counted_stays(stays).count() if stays is not None else 0,
    )
