"""Structurally valid synthetic NIK and KK numbers, for demo data and tests only.

They follow the digit layout of DOMAIN.md (region, birth or recording date,
serial) and belong to nobody.
"""

from datetime import date

from backend.population.codes import Sex


def make_nik(prefix: str, sex: int, birth_date: date, serial: int) -> str:
    """``prefix`` is six digits (provinsi, kota, kecamatan), e.g. ``647104``."""
    day = birth_date.day + (40 if sex == Sex.FEMALE else 0)
    return f"{prefix}{day:02d}{birth_date:%m%y}{serial:04d}"


def make_no_kk(prefix: str, recorded_on: date, serial: int) -> str:
    return f"{prefix}{recorded_on:%d%m%y}{serial:04d}"
