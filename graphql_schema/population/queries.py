from __future__ import annotations

import strawberry
import strawberry_django
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated

from backend.accounts.roles import Cap
from backend.population.models import Household, Resident
from graphql_schema.fields import record_id
from graphql_schema.permissions import IsAuthenticated, scope_of
from graphql_schema.population.types import (
    HouseholdFilter,
    HouseholdType,
    ResidentFilter,
    ResidentType,
)
from graphql_schema.wilayah.queries import one

_AUTH = [IsAuthenticated]


@strawberry.type
class PopulationQuery:
    residents: OffsetPaginated[ResidentType] = strawberry_django.offset_paginated(
        filters=ResidentFilter,
        permission_classes=_AUTH,
        description="Residents in the caller's scope, a page at a time, with the total count.",
    )
    households: OffsetPaginated[HouseholdType] = strawberry_django.offset_paginated(
        filters=HouseholdFilter,
        permission_classes=_AUTH,
        description="Households (KK) in the caller's scope, a page at a time.",
    )

    @strawberry_django.field(permission_classes=_AUTH)
    def resident(self, info: Info, id: strawberry.ID) -> ResidentType | None:
        pk = record_id(id)
        return None if pk is None else one(ResidentType, info, Resident.objects.filter(pk=pk))

    @strawberry_django.field(
        permission_classes=_AUTH,
        description="A household by KK number; only where the caller may see KK numbers "
        "(elsewhere null, so masked digits cannot be guessed).",
    )
    def household(self, info: Info, no_kk: str) -> HouseholdType | None:
        return one(
            HouseholdType,
            info,
            Household.objects.filter(
                no_kk=no_kk.strip(),
                rt_id__in=sorted(scope_of(info).rt_ids(Cap.POPULATION_VIEW_NIK)),
            ),
        )
