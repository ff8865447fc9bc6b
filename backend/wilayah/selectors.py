"""Scoped reads of regions: the path to every assignment, and everything under it."""

from django.db.models import QuerySet

from backend.accounts.roles import Level
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota


def kota_list(*, actor) -> QuerySet[Kota]:
    return Kota.objects.filter(actor.scope.region_q(Level.KOTA))


def kecamatan_list(*, actor) -> QuerySet[Kecamatan]:
    return Kecamatan.objects.filter(actor.scope.region_q(Level.KECAMATAN))


def kelurahan_list(*, actor) -> QuerySet[Kelurahan]:
    return Kelurahan.objects.filter(actor.scope.region_q(Level.KELURAHAN))


def rt_list(*, actor) -> QuerySet[RT]:
    return RT.objects.filter(actor.scope.region_q(Level.RT))


def known_kecamatan_prefixes() -> frozenset[str]:
    """NIK prefixes (``647104``) of the kecamatan we hold, for the old-code warning."""
    return frozenset(
        code.replace(".", "") for code in Kecamatan.objects.values_list("code", flat=True)
    )
