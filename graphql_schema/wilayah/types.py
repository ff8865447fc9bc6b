"""GraphQL types for the region tree: kecamatan > kelurahan > RT.

Every type's ``get_queryset`` calls the scoped selector, and the optimizer
applies it to nested prefetches too, so scope holds at every level: a Ketua
RT walking ``kelurahan { rts { ... } }`` sees only their own RT.
"""

from __future__ import annotations

import strawberry_django
from django.db.models import Q, QuerySet
from strawberry import auto
from strawberry.types import Info

from backend.population import stats
from backend.wilayah import selectors
from backend.wilayah.models import RT, Kecamatan, Kelurahan
from graphql_schema.fields import BoundedListField, search_text
from graphql_schema.permissions import actor_of, scope_of
from graphql_schema.population.types import (
    HouseholdFilter,
    HouseholdType,
    PopulationStatsType,
    ResidentFilter,
    ResidentType,
)


def _stats_annotations(outer_lookup: str) -> dict:
    """Annotation hints for ``populationStats``: evaluated per request with the actor's scope.

    Each figure is a correlated subquery on the region row (see
    ``backend.population.stats``), so a list of regions still costs one statement.
    """

    def one(name: str):
        def build(info: Info):
            return stats.region_count_expressions(scope_of(info), outer_lookup=outer_lookup)[name]

        return build

    names = [f"{stats.PREFIX}{n}" for n in ("residents", "households", "open_stays")]
    return {name: one(name) for name in names}


def _stats_of(row) -> PopulationStatsType:
    return PopulationStatsType.from_figures(stats.PopulationFigures.from_row(row))


# -- references ----------------------------------------------------------------
# Edges that point back up the tree (an RT's kelurahan, a resident's RT) return
# these list-free types, so the graph has no cycles: a query cannot go down,
# up and down again and multiply its result (RT > kelurahan > rts > ...).


@strawberry_django.type(Kecamatan, name="KecamatanRef")
class KecamatanRefType:
    id: auto
    code: auto
    name: auto

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.kecamatan_list(actor=actor_of(info), queryset=queryset)


@strawberry_django.type(Kelurahan, name="KelurahanRef")
class KelurahanRefType:
    id: auto
    code: auto
    name: auto
    kecamatan: KecamatanRefType

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.kelurahan_list(actor=actor_of(info), queryset=queryset)


@strawberry_django.type(RT, name="RTRef")
class RTRefType:
    id: auto
    code: auto
    number: auto
    kelurahan: KelurahanRefType

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.rt_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(only=["number"], description='Label as written locally, "RT 005".')
    def label(self) -> str:
        return f"RT {self.number:03d}"


# -- the tree --------------------------------------------------------------------


@strawberry_django.filter_type(RT)
class RTFilter:
    number: int | None = strawberry_django.filter_field()
    is_active: bool | None = strawberry_django.filter_field()
    is_synthetic: bool | None = strawberry_django.filter_field()


@strawberry_django.filter_type(Kelurahan)
class KelurahanFilter:
    @strawberry_django.filter_field(description="Part of the name, any case.")
    def name_contains(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}name__icontains": search_text(value, "nameContains")})


@strawberry_django.type(RT, name="RT")
class RTType:
    id: auto
    code: auto
    number: auto
    is_active: auto
    is_synthetic: auto
    kelurahan: KelurahanRefType
    households: list[HouseholdType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True, filters=HouseholdFilter
    )
    residents: list[ResidentType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True, filters=ResidentFilter
    )

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.rt_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(only=["number"], description='Label as written locally, "RT 005".')
    def label(self) -> str:
        return f"RT {self.number:03d}"

    @strawberry_django.field(
        annotate=_stats_annotations("rt"),
        description="Figures for this RT's residents.",
    )
    def population_stats(self) -> PopulationStatsType:
        return _stats_of(self)


@strawberry_django.type(Kelurahan, name="Kelurahan")
class KelurahanType:
    id: auto
    code: auto
    name: auto
    rt_count_is_synthetic: auto
    kecamatan: KecamatanRefType
    rts: list[RTType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True, filters=RTFilter
    )

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.kelurahan_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(
        annotate=_stats_annotations("rt__kelurahan"),
        description="Figures for the residents of this kelurahan that the caller may read.",
    )
    def population_stats(self) -> PopulationStatsType:
        return _stats_of(self)


@strawberry_django.type(Kecamatan, name="Kecamatan")
class KecamatanType:
    id: auto
    code: auto
    name: auto
    kelurahan: list[KelurahanType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True, filters=KelurahanFilter
    )

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.kecamatan_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(
        annotate=_stats_annotations("rt__kelurahan__kecamatan"),
        description="Figures for the residents of this kecamatan that the caller may read.",
    )
    def population_stats(self) -> PopulationStatsType:
        return _stats_of(self)
