from __future__ import annotations

import strawberry
import strawberry_django
from strawberry.types import Info
from strawberry_django import optimizer

from backend.population import selectors as population_selectors
from backend.population import stats
from backend.reports import selectors as report_selectors
from backend.wilayah import selectors
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota
from graphql_schema.fields import BoundedListField
from graphql_schema.permissions import IsAuthenticated, actor_of, scope_of
from graphql_schema.population.types import PopulationStatsType
from graphql_schema.wilayah.types import (
    KecamatanType,
    KelurahanFilter,
    KelurahanType,
    RTFilter,
    RTType,
)

_AUTH = [IsAuthenticated]


def one(type_, info: Info, queryset):
    """A single-object lookup through the type's scoped queryset, optimized like a list.

    Out of scope and nonexistent look the same: ``null``.
    """
    queryset = type_.get_queryset(queryset, info)
    ext = optimizer.optimizer.get()
    if ext is not None:
        queryset = ext.optimize(queryset, info=info)
    return queryset.first()


@strawberry.type
class WilayahQuery:
    kecamatan_list: list[KecamatanType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True, permission_classes=_AUTH
    )
    kelurahan_list: list[KelurahanType] = strawberry_django.field(
        field_cls=BoundedListField,
        pagination=True,
        filters=KelurahanFilter,
        permission_classes=_AUTH,
    )
    rts: list[RTType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True, filters=RTFilter, permission_classes=_AUTH
    )

    @strawberry_django.field(permission_classes=_AUTH, description="A kecamatan by its code.")
    def kecamatan(self, info: Info, code: str) -> KecamatanType | None:
        return one(KecamatanType, info, Kecamatan.objects.filter(code=code.strip()))

    @strawberry_django.field(permission_classes=_AUTH, description="A kelurahan by its code.")
    def kelurahan(self, info: Info, code: str) -> KelurahanType | None:
        return one(KelurahanType, info, Kelurahan.objects.filter(code=code.strip()))

    @strawberry_django.field(
        permission_classes=_AUTH, description="An RT by its code, e.g. 64.71.04.1003.005."
    )
    def rt(self, info: Info, code: str) -> RTType | None:
        return one(RTType, info, RT.objects.filter(code=code.strip()))

    @strawberry.field(
        permission_classes=_AUTH,
        description=(
            "Figures for a region (kota, kecamatan, kelurahan or RT code), or for the caller's "
            "whole scope when no code is given. Only residents the caller may read are counted; "
            "null for a code that is unknown or outside the caller's regions."
        ),
    )
    def population_stats(
        self, info: Info, region_code: str | None = None
    ) -> PopulationStatsType | None:
        actor = actor_of(info)
        residents = population_selectors.resident_list(actor=actor)
        households = population_selectors.household_list(actor=actor)
        stays = report_selectors.stay_list(actor=actor)
        if region_code:
            code = region_code.strip()
            lookups = [
                (RT, selectors.rt_list, "rt"),
                (Kelurahan, selectors.kelurahan_list, "rt__kelurahan"),
                (Kecamatan, selectors.kecamatan_list, "rt__kelurahan__kecamatan"),
                (Kota, selectors.kota_list, "rt__kelurahan__kecamatan__kota"),
            ]
            for model, selector, path in lookups:
                region = selector(actor=actor, queryset=model.objects.filter(code=code)).first()
                if region is not None:
                    residents = residents.filter(**{path: region})
                    households = households.filter(**{path: region})
                    stays = stays.filter(**{path: region})
                    break
            else:
                return None  # unknown or outside the caller's regions: no figure, not a 0
        figures = stats.figures_for(scope_of(info), residents, households, stays)
        return PopulationStatsType.from_figures(figures)
