"""Scoped reads of regions: the path to every assignment, and everything under it."""

from django.db.models import QuerySet

from backend.accounts.roles import Level
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota


def kota_list(*, actor, queryset: QuerySet[Kota] | None = None) -> QuerySet[Kota]:
    queryset = Kota.objects.all() if queryset is None else queryset
    return queryset.filter(actor.scope.region_q(Level.KOTA))


def kecamatan_list(*, actor, queryset: QuerySet[Kecamatan] | None = None) -> QuerySet[Kecamatan]:
    queryset = Kecamatan.objects.all() if queryset is None else queryset
    return queryset.filter(actor.scope.region_q(Level.KECAMATAN))


def kelurahan_list(*, actor, queryset: QuerySet[Kelurahan] | None = None) -> QuerySet[Kelurahan]:
    queryset = Kelurahan.objects.all() if queryset is None else queryset
    return queryset.filter(actor.scope.region_q(Level.KELURAHAN))


def rt_list(*, actor, queryset: QuerySet[RT] | None = None) -> QuerySet[RT]:
    """RTs the actor may see: the RTs under (or equal to) each of their assignments."""
    queryset = RT.objects.all() if queryset is None else queryset
    return queryset.filter(actor.scope.region_q(Level.RT))


def known_kecamatan_prefixes() -> frozenset[str]:
    """NIK prefixes (``647104``) of the kecamatan we hold, for the old-code warning."""
    return frozenset(
        code.replace(".", "") for code in Kecamatan.objects.values_list("code", flat=True)
    )
