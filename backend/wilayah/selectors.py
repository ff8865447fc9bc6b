"""Scoped reads of regions: the path to every assignment, and everything under it."""

from django.db.models import QuerySet

from backend.accounts.roles import Level
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota


def _scoped(actor, queryset, model, level: str, cap: str | None):
    queryset = model.objects.all() if queryset is None else queryset
    if cap is None:
        return queryset.filter(actor.scope.region_q(level))
    if level == Level.RT:
        return actor.scope.filter(queryset, cap, path="")
    return queryset.filter(actor.scope.region_cap_q(level, cap))


def kota_list(
    *, actor, cap: str | None = None, queryset: QuerySet[Kota] | None = None
) -> QuerySet[Kota]:
    """Kota the actor may see; with ``cap``, those where it holds ``cap`` throughout."""
    return _scoped(actor, queryset, Kota, Level.KOTA, cap)


def kecamatan_list(
    *, actor, cap: str | None = None, queryset: QuerySet[Kecamatan] | None = None
) -> QuerySet[Kecamatan]:
    """Kecamatan the actor may see; with ``cap``, those where it holds ``cap`` throughout."""
    return _scoped(actor, queryset, Kecamatan, Level.KECAMATAN, cap)


def kelurahan_list(
    *, actor, cap: str | None = None, queryset: QuerySet[Kelurahan] | None = None
) -> QuerySet[Kelurahan]:
    """Kelurahan the actor may see; with ``cap``, those where it holds ``cap`` throughout."""
    return _scoped(actor, queryset, Kelurahan, Level.KELURAHAN, cap)


def rt_list(*, actor, cap: str | None = None, queryset: QuerySet[RT] | None = None) -> QuerySet[RT]:
    """RTs the actor may see (under or equal to each assignment); with ``cap``, those over
    which it holds ``cap``."""
    return _scoped(actor, queryset, RT, Level.RT, cap)


def known_kecamatan_prefixes() -> frozenset[str]:
    """NIK prefixes (``647104``) of the kecamatan we hold, for the old-code warning."""
    return frozenset(
        code.replace(".", "") for code in Kecamatan.objects.values_list("code", flat=True)
    )
