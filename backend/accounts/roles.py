"""Roles and what each may do, declared once.

A role is held over one region (DESIGN.md "Regions and scope"). The
capabilities below say what the holder may do to rows inside that region;
``backend.accounts.scope.Scope`` turns a user's assignments into querysets.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    KETUA_RT = "ketua_rt", _("Ketua RT")
    STAF_KELURAHAN = "staf_kelurahan", _("Kelurahan staff")
    LURAH = "lurah", _("Lurah")
    STAF_KECAMATAN = "staf_kecamatan", _("Kecamatan staff")
    CAMAT = "camat", _("Camat")
    ADMIN_KOTA = "admin_kota", _("City administrator")


class Level(models.TextChoices):
    RT = "rt", _("RT")
    KELURAHAN = "kelurahan", _("Kelurahan")
    KECAMATAN = "kecamatan", _("Kecamatan")
    KOTA = "kota", _("Kota")


ROLE_LEVEL: dict[str, str] = {
    Role.KETUA_RT: Level.RT,
    Role.STAF_KELURAHAN: Level.KELURAHAN,
    Role.LURAH: Level.KELURAHAN,
    Role.STAF_KECAMATAN: Level.KECAMATAN,
    Role.CAMAT: Level.KECAMATAN,
    Role.ADMIN_KOTA: Level.KOTA,
}


class Cap:
    """Capabilities: what a role may do inside its region."""

    POPULATION_VIEW = "population.view"
    POPULATION_CHANGE = "population.change"
    # See full NIK and KK numbers (everyone else sees them masked).
    POPULATION_VIEW_NIK = "population.view_nik"
    POPULATION_IMPORT = "population.import"
    POPULATION_EXPORT = "population.export"
    REGION_CHANGE = "wilayah.change"
    REPORT_VIEW = "reports.view"
    REPORT_SUBMIT = "reports.submit"
    REPORT_DECIDE = "reports.decide"
    AUDIT_VIEW = "audit.view"
    # Manage user accounts, role assignments and API tokens inside the region.
    ACCOUNT_MANAGE = "accounts.manage"


_KELURAHAN_OFFICE = frozenset(
    {
        Cap.POPULATION_VIEW,
        Cap.POPULATION_CHANGE,
        Cap.POPULATION_VIEW_NIK,
        Cap.POPULATION_IMPORT,
        Cap.POPULATION_EXPORT,
        Cap.REGION_CHANGE,
        Cap.REPORT_VIEW,
        Cap.REPORT_DECIDE,
        Cap.AUDIT_VIEW,
    }
)
_KECAMATAN_OFFICE = frozenset(
    {Cap.POPULATION_VIEW, Cap.POPULATION_EXPORT, Cap.REPORT_VIEW, Cap.AUDIT_VIEW}
)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.KETUA_RT: frozenset({Cap.POPULATION_VIEW, Cap.REPORT_VIEW, Cap.REPORT_SUBMIT}),
    Role.STAF_KELURAHAN: _KELURAHAN_OFFICE,
    Role.LURAH: _KELURAHAN_OFFICE,
    Role.STAF_KECAMATAN: _KECAMATAN_OFFICE,
    Role.CAMAT: _KECAMATAN_OFFICE,
    Role.ADMIN_KOTA: _KELURAHAN_OFFICE | _KECAMATAN_OFFICE | {Cap.ACCOUNT_MANAGE},
}
