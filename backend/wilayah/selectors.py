"""Scoped reads of regions: the path to every assignment, and everything under it."""

from django.db.models import QuerySet

from backend.accounts.roles import Level
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota


def kota_list(*, actor, cap: str | None = None) -> QuerySet[Kota]:
    """Kota the actor may see; with ``cap``, those where it holds ``cap`` throughout."""
    if cap is not None:
        return Kota.objects.filter(actor.scope.region_cap_q(Level.KOTA, cap))
    return Kota.objects.filter(actor.scope.region_q(Level.KOTA))


def kecamatan_list(*, actor, cap: str | None = None) -> QuerySet[Kecamatan]:
    """Kecamatan the actor may see; with ``cap``, those where it holds ``cap`` throughout."""
    if cap is not None:
        return Kecamatan.objects.filter(actor.scope.region_cap_q(Level.KECAMATAN, cap))
    return Kecamatan.objects.filter(actor.scope.region_q(Level.KECAMATAN))


def kelurahan_list(*, actor, cap: str | None = None) -> QuerySet[Kelurahan]:
    """Kelurahan the actor may see; with ``cap``, those where it holds ``cap`` throughout."""
    if cap is not None:
        return Kelurahan.objects.filter(actor.scope.region_cap_q(Level.KELURAHAN, cap))
    return Kelurahan.objects.filter(actor.scope.region_q(Level.KELURAHAN))


def rt_list(*, actor, cap: str | None = None) -> QuerySet[RT]:
    """RTs the actor may see; with ``cap``, those over which it holds ``cap``."""
    if cap is not None:
        return actor.scope.filter(RT.objects.all(), cap, path="")
    return RT.objects.filter(actor.scope.region_q(Level.RT))


def known_kecamatan_prefixes() -> frozenset[str]:
    """NIK prefixes (``647104``) of the kecamatan we hold, for the old-code warning."""
    return frozenset(
        code.replace(".", "") for code in Kecamatan.objects.values_list("code", flat=True)
    )
