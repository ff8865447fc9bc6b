"""Population figures computed in SQL, scoped to what the actor may read.

One set of conditional ``COUNT``s, usable two ways:

- as annotations on region rows (``RT``, ``Kelurahan``, ``Kecamatan``), so a
  list of regions gets its figures in the same statement (GraphQL nested
  aggregates, dashboards);
- as ``aggregate()`` over a resident queryset (one region's totals).

Residents outside the actor's scope are never counted, also when the region
row itself is visible only as the path to the actor's RT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from backend.accounts.roles import Cap
from backend.population.age import AGE_BANDS, age_band_q, today_wita
from backend.population.codes import LifeStatus, Residency, Sex
from backend.population.models import Household

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


def household_count_expression(scope, *, outer_lookup: str) -> Coalesce:
    """Households in scope whose RT matches the outer row through ``outer_lookup``
    (``rt`` for RT rows, ``rt__kelurahan`` for kelurahan rows...)."""
    households = (
        Household.objects.filter(**{outer_lookup: OuterRef("pk")})
        .filter(scope.rt_q(Cap.POPULATION_VIEW, "rt"))
        .order_by()
        .values(outer_lookup)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(households, output_field=IntegerField()), Value(0))


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
    living: int = 0
    permanent: int = 0
    non_permanent: int = 0
    male: int = 0
    female: int = 0
    deceased: int = 0
    moved: int = 0
    ikd_activated: int = 0
    without_nik: int = 0
    households: int = 0
    age_bands: list[AgeBandFigure] = field(default_factory=list)

    @classmethod
    def from_values(cls, values: dict[str, int], households: int = 0) -> PopulationFigures:
        def get(name: str) -> int:
            return int(values.get(f"{PREFIX}{name}") or 0)

        return cls(
            **{name: get(name) for name in _simple_conditions("")},
            households=households,
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
        """From a region row annotated with ``resident_count_expressions`` (and households)."""
        values = {k: v for k, v in vars(row).items() if k.startswith(PREFIX)}
        return cls.from_values(values, households=int(values.get(f"{PREFIX}households") or 0))


def figures_for(scope, residents, households) -> PopulationFigures:
    """Totals over already-scoped resident and household querysets (two queries)."""
    values = residents.aggregate(
        **resident_count_expressions(scope, resident_path="", rt_path="rt")
    )
    return PopulationFigures.from_values(values, households=households.count())
