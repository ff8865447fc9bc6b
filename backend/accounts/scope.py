"""The one place that decides which rows a user may read and change.

A :class:`Scope` is built from the user's active role assignments. For each
capability (``backend.accounts.roles.Cap``) it knows the regions where the
user holds it, and turns them into a ``Q`` on any model that reaches an RT
through a field path (``rt`` for residents, households and reports). Region
rows themselves are visible along the whole path of every assignment: a
Ketua RT sees the names of their kelurahan and kecamatan so that nested
queries can walk down to their RT, but the RT lists under them are still
limited to what the user holds.

Selectors call ``scope.filter(...)``; nothing else filters by region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from backend.accounts.roles import ROLE_CAPABILITIES, ROLE_LEVEL, Level

if TYPE_CHECKING:
    from backend.accounts.models import User
    from backend.wilayah.models import RT

# How each level is reached from an RT.
_RT_PATHS = {
    Level.RT: "",
    Level.KELURAHAN: "kelurahan",
    Level.KECAMATAN: "kelurahan__kecamatan",
    Level.KOTA: "kelurahan__kecamatan__kota",
}
_NOTHING = Q(pk__in=[])


def _join(*parts: str) -> str:
    return "__".join(p for p in parts if p)


@dataclass
class RegionSet:
    """Region ids by level."""

    rt: set[int] = field(default_factory=set)
    kelurahan: set[int] = field(default_factory=set)
    kecamatan: set[int] = field(default_factory=set)
    kota: set[int] = field(default_factory=set)

    def ids(self, level: str) -> set[int]:
        return getattr(self, level)

    def __bool__(self) -> bool:
        return bool(self.rt or self.kelurahan or self.kecamatan or self.kota)


@dataclass
class Scope:
    user_id: int | None = None
    is_superuser: bool = False
    roles: set[str] = field(default_factory=set)
    # capability -> regions where it is held
    grants: dict[str, RegionSet] = field(default_factory=dict)
    # every region on the path of any assignment (for navigation)
    visible: RegionSet = field(default_factory=RegionSet)
    # the regions of the assignments themselves, for every capability
    held: RegionSet = field(default_factory=RegionSet)

    @classmethod
    def for_user(cls, user: User | None) -> Scope:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls()
        scope = cls(user_id=user.pk, is_superuser=user.is_superuser)
        if user.is_superuser:
            return scope
        from backend.accounts.models import RoleAssignment

        assignments = RoleAssignment.objects.filter(user=user, is_active=True).select_related(
            "rt__kelurahan__kecamatan", "kelurahan__kecamatan", "kecamatan"
        )
        for a in assignments:
            level = ROLE_LEVEL[a.role]
            region_id = {
                Level.RT: a.rt_id,
                Level.KELURAHAN: a.kelurahan_id,
                Level.KECAMATAN: a.kecamatan_id,
                Level.KOTA: a.kota_id,
            }[level]
            scope.roles.add(a.role)
            scope.held.ids(level).add(region_id)
            for cap in ROLE_CAPABILITIES[a.role]:
                scope.grants.setdefault(cap, RegionSet()).ids(level).add(region_id)
            scope._add_path(a, level)
        return scope

    def _add_path(self, a, level: str) -> None:
        v = self.visible
        if level == Level.RT:
            v.rt.add(a.rt_id)
            v.kelurahan.add(a.rt.kelurahan_id)
            v.kecamatan.add(a.rt.kelurahan.kecamatan_id)
            v.kota.add(a.rt.kelurahan.kecamatan.kota_id)
        elif level == Level.KELURAHAN:
            v.kelurahan.add(a.kelurahan_id)
            v.kecamatan.add(a.kelurahan.kecamatan_id)
            v.kota.add(a.kelurahan.kecamatan.kota_id)
        elif level == Level.KECAMATAN:
            v.kecamatan.add(a.kecamatan_id)
            v.kota.add(a.kecamatan.kota_id)
        else:
            v.kota.add(a.kota_id)

    # -- questions ---------------------------------------------------------

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def has(self, cap: str) -> bool:
        """Whether the user holds ``cap`` anywhere."""
        return self.is_superuser or bool(self.grants.get(cap))

    def can(self, cap: str, rt: RT) -> bool:
        """Whether the user holds ``cap`` over this RT."""
        if self.is_superuser:
            return True
        regions = self.grants.get(cap)
        if not regions:
            return False
        kelurahan = rt.kelurahan
        return (
            rt.pk in regions.rt
            or rt.kelurahan_id in regions.kelurahan
            or kelurahan.kecamatan_id in regions.kecamatan
            or kelurahan.kecamatan.kota_id in regions.kota
        )

    def can_in_kelurahan(self, cap: str, kelurahan) -> bool:
        """Whether the user holds ``cap`` over the whole kelurahan (not just one RT in it)."""
        if self.is_superuser:
            return True
        regions = self.grants.get(cap)
        if not regions:
            return False
        return (
            kelurahan.pk in regions.kelurahan
            or kelurahan.kecamatan_id in regions.kecamatan
            or kelurahan.kecamatan.kota_id in regions.kota
        )

    def rt_ids(self, cap: str) -> frozenset[int]:
        """Ids of the RTs where ``cap`` is held (one query, cached on the scope)."""
        cache = self.__dict__.setdefault("_rt_ids", {})
        if cap not in cache:
            from backend.wilayah.models import RT

            cache[cap] = frozenset(
                RT.objects.filter(self.rt_q(cap, "")).values_list("pk", flat=True)
            )
        return cache[cap]

    # -- querysets ---------------------------------------------------------

    def rt_q(self, cap: str, path: str = "rt") -> Q:
        """Rows whose RT (reached through ``path``; '' for RT rows) lies where ``cap`` is held."""
        if self.is_superuser:
            return Q()
        regions = self.grants.get(cap)
        if not regions:
            return _NOTHING
        return self._region_q(regions, path)

    @staticmethod
    def _region_q(regions: RegionSet, path: str) -> Q:
        parts = []
        for level, rt_path in _RT_PATHS.items():
            ids = regions.ids(level)
            if ids:
                target = _join(path, rt_path) or "pk"
                parts.append(Q(**{f"{target}__in": sorted(ids)}))
        return reduce(or_, parts) if parts else _NOTHING

    def filter(self, queryset: QuerySet, cap: str, path: str = "rt") -> QuerySet:
        return queryset.filter(self.rt_q(cap, path))

    def region_cap_q(self, level: str, cap: str) -> Q:
        """Region rows of ``level`` (kelurahan, kecamatan, kota) lying wholly inside a region
        where ``cap`` is held; for kelurahan the same answer as ``can_in_kelurahan``."""
        if self.is_superuser:
            return Q()
        regions = self.grants.get(cap)
        if not regions:
            return _NOTHING
        paths = {
            Level.KELURAHAN: [
                ("pk", regions.kelurahan),
                ("kecamatan", regions.kecamatan),
                ("kecamatan__kota", regions.kota),
            ],
            Level.KECAMATAN: [("pk", regions.kecamatan), ("kota", regions.kota)],
            Level.KOTA: [("pk", regions.kota)],
        }[level]
        parts = [Q(**{f"{lookup}__in": sorted(ids)}) for lookup, ids in paths if ids]
        return reduce(or_, parts) if parts else _NOTHING

    def region_q(self, level: str) -> Q:
        """Region rows of ``level`` the user may see: the path to, and everything under, each
        assignment."""
        if self.is_superuser:
            return Q()
        held, visible = self.held, self.visible
        if level == Level.RT:
            return self._region_q(held, "")
        parts = [Q(pk__in=sorted(visible.ids(level)))] if visible.ids(level) else []
        below = {
            Level.KELURAHAN: [("kecamatan", held.kecamatan), ("kecamatan__kota", held.kota)],
            Level.KECAMATAN: [("kota", held.kota)],
            Level.KOTA: [],
        }[level]
        for lookup, ids in below:
            if ids:
                parts.append(Q(**{f"{lookup}__in": sorted(ids)}))
        return reduce(or_, parts) if parts else _NOTHING
