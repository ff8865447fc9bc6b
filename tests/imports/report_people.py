"""The synthetic residents the report samples name (death reports), in one place.

``samples/make_samples.py`` writes their NIKs into the files; the tests
register them with ``register_people`` before importing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backend.population.synthetic import make_nik, make_no_kk


@dataclass(frozen=True)
class Person:
    name: str
    sex: int
    born: dt.date
    serial: int
    rt: int  # Karang Rejo RT number

    @property
    def nik(self) -> str:
        return make_nik("647104", self.sex, self.born, self.serial)


# Still recorded as living: an imported death report waits for approval.
ALIVE = Person("Slamet Riyadi", 1, dt.date(1950, 4, 12), 2001, rt=1)
# Already recorded as deceased on DECEASED_ON: the report is approved as its record.
DECEASED = Person("Sumarni", 2, dt.date(1948, 9, 30), 2002, rt=1)
DECEASED_ON = dt.date(2025, 3, 10)
# Lives in RT 002: a death report filed under RT 001 is refused.
OTHER_RT = Person("Darmawan", 1, dt.date(1955, 1, 5), 2003, rt=2)


def register_people(regions) -> dict:
    """Write the three residents (two households) straight to the database."""
    # Imported here: the sample generator uses this module without Django set up.
    from backend.population import codes
    from backend.population.models import Household, Resident

    kr = regions.karang_rejo
    rt1, rt2 = regions.rt(kr, 1), regions.rt(kr, 2)
    home1 = Household.objects.create(
        no_kk=make_no_kk("647104", dt.date(2015, 3, 2), 2001), rt=rt1, address="Jl. Kenari 1"
    )
    home2 = Household.objects.create(
        no_kk=make_no_kk("647104", dt.date(2015, 3, 2), 2002), rt=rt2, address="Jl. Kenari 9"
    )
    out = {}
    for key, person, home, relationship in (
        ("alive", ALIVE, home1, codes.Relationship.HEAD),
        ("deceased", DECEASED, home1, codes.Relationship.WIFE),
        ("other_rt", OTHER_RT, home2, codes.Relationship.HEAD),
    ):
        out[key] = Resident.objects.create(
            nik=person.nik,
            name=person.name,
            sex=person.sex,
            birth_date=person.born,
            relationship=relationship,
            household=home,
            rt=home.rt,
            marital_status=codes.MaritalStatus.MARRIED,
        )
    Resident.objects.filter(pk=out["deceased"].pk).update(
        status=codes.LifeStatus.DECEASED, status_date=DECEASED_ON
    )
    out["deceased"].refresh_from_db()
    return out
