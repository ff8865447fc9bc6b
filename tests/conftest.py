"""Shared fixtures: the real region tree, one account per role, a small population."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection

from backend.accounts.models import RoleAssignment, User
from backend.accounts.roles import Role
from backend.population import codes
from backend.population.models import Household, Resident
from backend.population.synthetic import make_nik, make_no_kk
from backend.wilayah.loading import load_regions
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota

KARANG_REJO = "64.71.04.1003"
KARANG_JATI = "64.71.04.1004"
SEPINGGAN = "64.71.05.1002"
PASSWORD = "rahasia-uji-123"


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@dataclass
class Regions:
    kota: Kota
    tengah: Kecamatan
    selatan: Kecamatan
    karang_rejo: Kelurahan
    karang_jati: Kelurahan
    sepinggan: Kelurahan

    def rt(self, kelurahan: Kelurahan, number: int) -> RT:
        return RT.objects.select_related("kelurahan__kecamatan__kota").get(
            kelurahan=kelurahan, number=number, rw__isnull=True
        )


@pytest.fixture
def regions(db) -> Regions:
    load_regions(only_kelurahan={KARANG_REJO, KARANG_JATI, SEPINGGAN})
    return Regions(
        kota=Kota.objects.get(code="64.71"),
        tengah=Kecamatan.objects.get(code="64.71.04"),
        selatan=Kecamatan.objects.get(code="64.71.05"),
        karang_rejo=Kelurahan.objects.get(code=KARANG_REJO),
        karang_jati=Kelurahan.objects.get(code=KARANG_JATI),
        sepinggan=Kelurahan.objects.get(code=SEPINGGAN),
    )


def _user(username: str, *, superuser: bool = False, **extra) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        is_staff=True,
        is_superuser=superuser,
        **extra,
    )


@dataclass
class Actors:
    ketua_rt_1: User  # Karang Rejo RT 001
    ketua_rt_2: User  # Karang Rejo RT 002
    staf_kelurahan: User  # Karang Rejo
    lurah: User  # Karang Rejo
    staf_kecamatan: User  # Balikpapan Tengah
    camat: User  # Balikpapan Tengah
    admin_kota: User
    lurah_karang_jati: User
    camat_selatan: User
    no_role: User

    def all_roles(self) -> dict[str, User]:
        return {
            "ketua_rt": self.ketua_rt_1,
            "staf_kelurahan": self.staf_kelurahan,
            "lurah": self.lurah,
            "staf_kecamatan": self.staf_kecamatan,
            "camat": self.camat,
            "admin_kota": self.admin_kota,
        }


def assign(user: User, role: str, region) -> RoleAssignment:
    field = {
        Role.KETUA_RT: "rt",
        Role.STAF_KELURAHAN: "kelurahan",
        Role.LURAH: "kelurahan",
        Role.STAF_KECAMATAN: "kecamatan",
        Role.CAMAT: "kecamatan",
        Role.ADMIN_KOTA: "kota",
    }[role]
    return RoleAssignment.objects.create(user=user, role=role, **{field: region})


@pytest.fixture
def actors(regions: Regions) -> Actors:
    kr = regions.karang_rejo
    a = Actors(
        ketua_rt_1=_user("rt001"),
        ketua_rt_2=_user("rt002"),
        staf_kelurahan=_user("staf.karangrejo"),
        lurah=_user("lurah.karangrejo"),
        staf_kecamatan=_user("staf.tengah"),
        camat=_user("camat.tengah"),
        admin_kota=_user("admin.kota"),
        lurah_karang_jati=_user("lurah.karangjati"),
        camat_selatan=_user("camat.selatan"),
        no_role=_user("tanpa.peran"),
    )
    assign(a.ketua_rt_1, Role.KETUA_RT, regions.rt(kr, 1))
    assign(a.ketua_rt_2, Role.KETUA_RT, regions.rt(kr, 2))
    assign(a.staf_kelurahan, Role.STAF_KELURAHAN, kr)
    assign(a.lurah, Role.LURAH, kr)
    assign(a.staf_kecamatan, Role.STAF_KECAMATAN, regions.tengah)
    assign(a.camat, Role.CAMAT, regions.tengah)
    assign(a.admin_kota, Role.ADMIN_KOTA, regions.kota)
    assign(a.lurah_karang_jati, Role.LURAH, regions.karang_jati)
    assign(a.camat_selatan, Role.CAMAT, regions.selatan)
    return a


_counter = itertools.count(0)


class _Serials:
    """Four-digit serials 0001-9999, wrapping: a whole run in one process (no
    xdist) makes more than 9999 of them, and a NIK or KK number has only four
    serial digits. A test never makes 9999 households, so no number repeats
    within one test's data."""

    def __next__(self) -> int:
        return next(_counter) % 9999 + 1


_serials = _Serials()


def make_household(rt: RT, *, members: int = 3, prefix: str = "647104") -> Household:
    """A household written straight to the database (test data, not a service call)."""
    serial = next(_serials)
    household = Household.objects.create(
        no_kk=make_no_kk(prefix, date(2015, 3, 2), serial),
        rt=rt,
        address=f"Jl. Uji No. {serial}",
    )
    layout = [
        (codes.Relationship.HEAD, codes.Sex.MALE, date(1975, 5, 17)),
        (codes.Relationship.WIFE, codes.Sex.FEMALE, date(1980, 8, 9)),
        (codes.Relationship.CHILD, codes.Sex.FEMALE, date(2010, 1, 23)),
        (codes.Relationship.CHILD, codes.Sex.MALE, date(2015, 12, 4)),
        (codes.Relationship.CHILD, codes.Sex.MALE, date(2022, 6, 30)),
    ]
    for i in range(members):
        relationship, sex, born = layout[i % len(layout)]
        Resident.objects.create(
            nik=make_nik(prefix, sex, born, next(_serials)),
            name=f"Warga Uji {serial}-{i + 1}",
            sex=sex,
            birth_place="Balikpapan",
            birth_date=born,
            relationship=relationship,
            household=household,
            rt=rt,
        )
    return household


@dataclass
class Population:
    rt1: Household  # Karang Rejo RT 001
    rt2: Household  # Karang Rejo RT 002
    karang_jati: Household  # Karang Jati RT 001
    sepinggan: Household  # Sepinggan RT 001 (another kecamatan)


@pytest.fixture
def population(regions: Regions) -> Population:
    return Population(
        rt1=make_household(regions.rt(regions.karang_rejo, 1)),
        rt2=make_household(regions.rt(regions.karang_rejo, 2)),
        karang_jati=make_household(regions.rt(regions.karang_jati, 1)),
        sepinggan=make_household(regions.rt(regions.sepinggan, 1), prefix="647105"),
    )


def pytest_configure(config):
    from django.utils.translation import trans_real

    from backend.common.translations import compile_all

    if compile_all():
        # django.setup() already loaded the catalogues, before these .mo files
        # existed; forget them so the fresh translations are read.
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = trans_real.Local()
