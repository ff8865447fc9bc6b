"""GraphQL types for households and residents; scope applies in every ``get_queryset``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from django.db.models import Count, Prefetch, Q, QuerySet
from strawberry import auto
from strawberry.types import Info

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import build_event, record_many
from backend.common.masking import mask_nik, mask_no_kk
from backend.population import codes, selectors
from backend.population.age import today_wita
from backend.population.models import Household, Resident
from backend.population.stats import AgeBandFigure, PopulationFigures
from graphql_schema import enums
from graphql_schema.fields import BoundedListField, search_text
from graphql_schema.permissions import actor_of, scope_of

if TYPE_CHECKING:
    from graphql_schema.wilayah.types import RTRefType


@strawberry.type(name="AgeBandCount")
class AgeBandCountType:
    band: enums.AgeBandKey
    label: str
    male: int
    female: int
    total: int

    @classmethod
    def from_figure(cls, f: AgeBandFigure) -> AgeBandCountType:
        return cls(
            band=enums.AgeBandKey(f.band),
            label=f.label,
            male=f.male,
            female=f.female,
            total=f.total,
        )


@strawberry.type(
    name="PopulationStats",
    description=(
        "Figures for the residents the caller may read. Sex and age bands count living "
        "permanent residents; non-permanent residents are counted separately."
    ),
)
class PopulationStatsType:
    living: int = strawberry.field(
        description="Living residents, permanent and non-permanent (permanent + nonPermanent)."
    )
    permanent: int
    non_permanent: int = strawberry.field(
        description=(
            "Non-permanent residents: living residents registered with residency "
            '"tidak tetap" (the kelurahan register, e.g. from SIAK or OpenSID) plus the '
            "open stays reported by the RTs (openStays)."
        )
    )
    open_stays: int = strawberry.field(
        description="Open non-permanent stays reported by the RTs (part of nonPermanent)."
    )
    male: int
    female: int
    deceased: int
    moved: int
    ikd_activated: int
    without_nik: int
    households: int
    by_age_band: list[AgeBandCountType]

    @classmethod
    def from_figures(cls, f: PopulationFigures) -> PopulationStatsType:
        return cls(
            living=f.living,
            permanent=f.permanent,
            non_permanent=f.non_permanent,
            open_stays=f.open_stays,
            male=f.male,
            female=f.female,
            deceased=f.deceased,
            moved=f.moved,
            ikd_activated=f.ikd_activated,
            without_nik=f.without_nik,
            households=f.households,
            by_age_band=[AgeBandCountType.from_figure(b) for b in f.age_bands],
        )


@strawberry_django.filter_type(Resident)
class ResidentFilter:
    sex: enums.Sex | None = strawberry_django.filter_field()
    status: enums.LifeStatus | None = strawberry_django.filter_field()
    residency: enums.Residency | None = strawberry_django.filter_field()
    ikd_activated: bool | None = strawberry_django.filter_field()
    relationship: enums.Relationship | None = strawberry_django.filter_field()

    @strawberry_django.filter_field(
        description="Exact 16-digit NIK; only for roles that may see NIKs (elsewhere it matches "
        "nothing, so it cannot be used to guess masked digits)."
    )
    def nik(self, value: str, prefix: str, info: Info) -> Q:
        nik_rts = scope_of(info).rt_ids(Cap.POPULATION_VIEW_NIK)
        return Q(**{f"{prefix}nik": value.strip(), f"{prefix}rt_id__in": sorted(nik_rts)})

    @strawberry_django.filter_field(description="Part of the name, any case.")
    def name_contains(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}name__icontains": search_text(value, "nameContains")})

    @strawberry_django.filter_field
    def age_band(self, value: enums.AgeBandKey, prefix: str) -> Q:
        from backend.population.age import AGE_BANDS_BY_KEY, age_band_q

        return age_band_q(AGE_BANDS_BY_KEY[value.value], path=f"{prefix}birth_date")

    @strawberry_django.filter_field(description="Residents of the RT with this code.")
    def rt_code(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}rt__code": value.strip()})


@strawberry_django.filter_type(Household)
class HouseholdFilter:
    needs_update: bool | None = strawberry_django.filter_field()

    @strawberry_django.filter_field(
        description="Exact 16-digit KK number; only for roles that may see KK numbers "
        "(elsewhere it matches nothing, so it cannot be used to guess masked digits)."
    )
    def no_kk(self, value: str, prefix: str, info: Info) -> Q:
        nik_rts = scope_of(info).rt_ids(Cap.POPULATION_VIEW_NIK)
        return Q(**{f"{prefix}no_kk": value.strip(), f"{prefix}rt_id__in": sorted(nik_rts)})

    @strawberry_django.filter_field(description="Part of the address, any case.")
    def address_contains(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}address__icontains": search_text(value, "addressContains")})


@strawberry_django.type(Resident, name="Resident")
class ResidentType:
    id: auto
    name: auto
    sex: enums.Sex
    birth_place: auto
    religion: enums.Religion | None
    education: enums.Education | None
    occupation: enums.Occupation | None
    marital_status: enums.MaritalStatus
    relationship: enums.Relationship | None
    citizenship: enums.Citizenship
    blood_type: enums.BloodType
    status: enums.LifeStatus
    status_date: auto
    residency: enums.Residency
    ikd_activated: auto
    household: (
        Annotated[HouseholdRefType, strawberry.lazy("graphql_schema.population.types")] | None
    )
    rt: Annotated[RTRefType, strawberry.lazy("graphql_schema.wilayah.types")]

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.resident_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(
        only=["nik", "rt_id"],
        description=(
            "NIK, masked (647104********0001) unless reveal is true and the caller may see NIKs "
            "in this RT; every reveal is recorded in the audit trail."
        ),
    )
    def nik(self, info: Info, reveal: bool = False) -> str | None:
        if self.nik is None:
            return None
        if reveal and self.rt_id in scope_of(info).rt_ids(Cap.POPULATION_VIEW_NIK):
            request = info.context.request
            if not hasattr(request, "nik_reveals"):
                request.nik_reveals = {}
            request.nik_reveals[self.pk] = self.rt_id
            return self.nik
        return mask_nik(self.nik)

    @strawberry_django.field(only=["nik"], description="Whether the resident has no NIK yet.")
    def nik_pending(self) -> bool:
        return self.nik is None

    @strawberry_django.field(only=["birth_date"], description="Age in whole years today (WITA).")
    def age(self) -> int:
        return self.age_on(today_wita())

    @strawberry_django.field(
        only=["birth_date", "rt_id"],
        description=(
            "Date of birth, for roles that may see NIKs in this RT; null for others, because "
            "a NIK's masked digits are the birth date. Everyone gets birthYear and age."
        ),
    )
    def birth_date(self, info: Info) -> date | None:
        if self.rt_id in scope_of(info).rt_ids(Cap.POPULATION_VIEW_NIK):
            return self.birth_date
        return None

    @strawberry_django.field(only=["birth_date"])
    def birth_year(self) -> int:
        return self.birth_date.year


@strawberry_django.type(Household, name="HouseholdRef")
class HouseholdRefType:
    """A household seen from one of its members: no member list (no cycles)."""

    id: auto
    address: auto
    needs_update: auto
    rt: Annotated[RTRefType, strawberry.lazy("graphql_schema.wilayah.types")]

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.household_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(only=["no_kk"], description="KK number, masked.")
    def no_kk(self) -> str:
        return mask_no_kk(self.no_kk)


@strawberry_django.type(Household, name="Household")
class HouseholdType:
    id: auto
    address: auto
    postal_code: auto
    issued_on: auto
    needs_update: auto
    needs_update_reason: auto
    rt: Annotated[RTRefType, strawberry.lazy("graphql_schema.wilayah.types")]
    residents: list[ResidentType] = strawberry_django.field(
        field_cls=BoundedListField, pagination=True, filters=ResidentFilter
    )

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs) -> QuerySet:
        return selectors.household_list(actor=actor_of(info), queryset=queryset)

    @strawberry_django.field(only=["no_kk"], description="KK number, masked.")
    def no_kk(self) -> str:
        return mask_no_kk(self.no_kk)

    @strawberry_django.field(
        prefetch_related=[
            lambda info: Prefetch(
                "residents",
                queryset=selectors.resident_list(actor=actor_of(info)).filter(
                    relationship=codes.Relationship.HEAD, status=codes.LifeStatus.ALIVE
                ),
                to_attr="living_heads",
            )
        ],
        description="The living head of the household, if any.",
    )
    def head(self) -> ResidentType | None:
        heads = self.living_heads
        return heads[0] if heads else None

    @strawberry_django.field(
        annotate={
            "living_member_count": lambda info: Count(
                "residents",
                filter=Q(residents__status=codes.LifeStatus.ALIVE)
                & scope_of(info).rt_q(Cap.POPULATION_VIEW, "residents__rt"),
            )
        },
        description="Living members on this KK.",
    )
    def living_member_count(self) -> int:
        return self.living_member_count


def record_nik_reveals(request) -> None:
    """Write one audit event per NIK revealed in this request, in one batch.

    Called by the view after execution, so a list of 500 revealed NIKs costs
    one INSERT rather than 500.
    """
    reveals = getattr(request, "nik_reveals", None)
    if not reveals:
        return
    record_many(
        build_event(
            actor=request.user,
            action=Action.NIK_REVEALED,
            entity_type="population.resident",
            entity_id=pk,
            entity_label=f"{Resident._meta.verbose_name} #{pk}",
            rt=rt_id,
        )
        for pk, rt_id in reveals.items()
    )
    request.nik_reveals = {}
