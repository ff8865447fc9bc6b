"""Scoped reads of households and residents.

Everything the admin, GraphQL, exports and imports show starts here, limited
to the actor's scope.
"""

from django.db.models import QuerySet

from backend.accounts.roles import Cap
from backend.common.errors import DomainError
from backend.population.codes import LifeStatus, Residency
from backend.population.models import Household, Resident


def resident_list(
    *, actor, cap: str = Cap.POPULATION_VIEW, queryset: QuerySet[Resident] | None = None
) -> QuerySet[Resident]:
    queryset = Resident.objects.all() if queryset is None else queryset
    return actor.scope.filter(queryset, cap)


def resident_get(*, actor, pk, cap: str = Cap.POPULATION_VIEW) -> Resident:
    """The resident, or "not found" also when it lies outside the actor's scope."""
    try:
        return resident_list(actor=actor, cap=cap).select_related("rt__kelurahan").get(pk=pk)
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise DomainError.not_found(field="resident") from None


def resident_get_by_nik(*, actor, nik: str, cap: str = Cap.POPULATION_VIEW) -> Resident:
    try:
        return resident_list(actor=actor, cap=cap).select_related("rt__kelurahan").get(nik=nik)
    except Resident.DoesNotExist:
        raise DomainError.not_found(field="nik") from None


def living_permanent(queryset: QuerySet[Resident]) -> QuerySet[Resident]:
    return queryset.filter(status=LifeStatus.ALIVE, residency=Residency.PERMANENT)


def household_list(
    *, actor, cap: str = Cap.POPULATION_VIEW, queryset: QuerySet[Household] | None = None
) -> QuerySet[Household]:
    queryset = Household.objects.all() if queryset is None else queryset
    return actor.scope.filter(queryset, cap)


def household_get(*, actor, pk, cap: str = Cap.POPULATION_VIEW) -> Household:
    try:
        return household_list(actor=actor, cap=cap).select_related("rt__kelurahan").get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise DomainError.not_found(field="household") from None


def can_view_nik(*, actor, rt) -> bool:
    return actor.scope.can(Cap.POPULATION_VIEW_NIK, rt)
