"""Synthetic households and residents, built as unsaved model instances.

Everything comes from one seeded ``random.Random`` and one seeded Faker
(``id_ID``), in a fixed order, so the same seed and reference date give the
same people, NIKs and KK numbers. The rules that make the data believable:

- a NIK's day (+40 for women), month and year are the person's own; its
  region is where it was first issued (mostly Balikpapan Tengah, some other
  kota for people who came as adults, a few Balikpapan Selatan codes from
  before the 2012 split); babies not yet registered have no NIK at all;
- a KK number is recorded after its head came of age (and after the
  wedding, for a couple), and never after the reference date;
- ages, marital status, education and occupation agree with each other and
  with the person's place in the family (children are single and pelajar,
  spouses are married on the same date, the head is the one living head).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from faker import Faker

from backend.population.codes import (
    Education,
    LifeStatus,
    MaritalStatus,
    Occupation,
    Relationship,
    Residency,
    Sex,
)
from backend.population.demo import tables
from backend.population.models import Household, Resident
from backend.population.synthetic import make_nik, make_no_kk

SIAK_START = date(2005, 1, 1)  # KK numbers of this form are recorded from here on
IKD_START = date(2023, 1, 1)
RECENT_EVENT_DAYS = 90  # a KK not reissued yet after a death or a move needs an update


# -- dates -------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(born: date, day: date) -> int:
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


class NumberBook:
    """Unique NIK and KK serials per 12-digit stem, skipping numbers already taken."""

    def __init__(self, rng: random.Random, taken_niks: set[str], taken_kks: set[str]) -> None:
        self.rng = rng
        self.taken_niks = taken_niks
        self.taken_kks = taken_kks
        self._next_nik: dict[str, int] = {}
        self._next_kk: dict[str, int] = {}

    def _issue(self, stem: str, taken: set[str], counters: dict[str, int]) -> str:
        # SIAK serials start at 0001 per stem; start a little further so the
        # demo does not look like the first people ever registered.
        serial = counters.get(stem) or self.rng.randint(1, 25)
        while f"{stem}{serial:04d}" in taken:
            serial += 1
        if serial > 9999:
            raise ValueError(f"no NIK/KK serial left for stem {stem}")
        number = f"{stem}{serial:04d}"
        counters[stem] = serial + 1
        taken.add(number)
        return number

    def nik(self, prefix: str, sex: int, born: date) -> str:
        stem = make_nik(prefix, sex, born, 1)[:12]
        return self._issue(stem, self.taken_niks, self._next_nik)

    def no_kk(self, prefix: str, recorded_on: date) -> str:
        stem = make_no_kk(prefix, recorded_on, 1)[:12]
        return self._issue(stem, self.taken_kks, self._next_kk)


class FamilyMaker:
    """Builds one household (or one boarder) at a time."""

    def __init__(
        self, rng: random.Random, fake: Faker, reference_date: date, numbers: NumberBook
    ) -> None:
        self.rng = rng
        self.fake = fake
        self.today = reference_date
        self.numbers = numbers
        self._kinds: list[tuple[Callable[[int], list[Resident]], float]] = [
            (self._nuclear, 50),
            (self._couple, 11),
            (self._single, 11),
            (self._single_parent, 9),
            (self._with_parent, 12),
            (self._three_generations, 4),
            (self._with_relative, 3),
        ]

    # -- small helpers ---------------------------------------------------

    def _pick(self, weights: dict) -> int:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    def _between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def _born(self, min_age: int, max_age: int) -> date:
        """A birth date for someone aged min_age..max_age on the reference date."""
        latest = add_years(self.today, -min_age)
        earliest = add_years(self.today, -(max_age + 1)) + timedelta(days=1)
        return self._between(earliest, latest)

    def _name(self, sex: int) -> str:
        male = sex == Sex.MALE
        fake = self.fake
        first = fake.first_name_male() if male else fake.first_name_female()
        roll = self.rng.random()
        if roll < 0.15:
            return first
        if roll < 0.30:
            second = fake.first_name_male() if male else fake.first_name_female()
            return first if second == first else f"{first} {second}"
        return f"{first} {fake.last_name_male() if male else fake.last_name_female()}"

    def _origin(self) -> tables.Origin:
        return self.rng.choices(tables.ORIGINS, weights=[o.weight for o in tables.ORIGINS])[0]

    # -- one person ------------------------------------------------------

    def _education(self, age: int) -> int:
        if age < 7:
            return Education.NONE
        if age <= 12:
            return Education.SD_NOT_FINISHED
        if age <= 15:
            return Education.SD
        if age <= 18:
            return Education.SLTP
        if age <= 22:
            return Education.SLTA if self._chance(0.9) else Education.SLTP
        cohort = "young" if self.today.year - age >= 1980 else "middle"
        if self.today.year - age < 1960:
            cohort = "old"
        return self._pick(tables.ADULT_EDUCATION[cohort])

    def _job(self, jobs: Sequence[tables.Job], education: int) -> int:
        fitting = [j for j in jobs if education >= j.min_education]
        return self.rng.choices(fitting, weights=[j.weight for j in fitting])[0].occupation

    def _occupation(self, age: int, sex: int, education: int) -> int:
        if age < 5:
            return Occupation.BELUM_TIDAK_BEKERJA
        if age <= 18:
            return Occupation.PELAJAR_MAHASISWA
        if age <= 24:
            if education >= Education.SLTA and self._chance(0.45):
                return Occupation.PELAJAR_MAHASISWA
            return self._job(tables.YOUNG_ADULTS, education)
        if age >= 58:
            jobs = tables.RETIRED_MEN if sex == Sex.MALE else tables.RETIRED_WOMEN
            return self._job(jobs, education)
        jobs = tables.WORKING_MEN if sex == Sex.MALE else tables.WORKING_WOMEN
        return self._job(jobs, education)

    def _person(
        self,
        sex: int,
        born: date,
        relationship: int | None,
        religion: int,
        *,
        origin: tables.Origin | None = None,
        marital: int = MaritalStatus.SINGLE,
        marriage_date: date | None = None,
        status: int = LifeStatus.ALIVE,
        status_date: date | None = None,
        father: str = "",
        mother: str = "",
        occupation: int | None = None,
    ) -> Resident:
        """One resident; ``origin`` None means born in Balikpapan."""
        as_of = status_date or self.today
        age = age_on(born, as_of)
        education = self._education(age)
        if occupation is None:
            occupation = self._occupation(age, sex, education)
        resident = Resident(
            name=self._name(sex),
            sex=sex,
            birth_place=origin.name if origin else "Balikpapan",
            birth_date=born,
            religion=religion,
            education=education,
            occupation=occupation,
            marital_status=marital,
            marriage_date=marriage_date if marital != MaritalStatus.SINGLE else None,
            marriage_recorded=(self._chance(0.93) if marital != MaritalStatus.SINGLE else None),
            relationship=relationship,
            blood_type=self._pick(tables.BLOOD_TYPES),
            father_name=father or self._name(Sex.MALE),
            mother_name=mother or self._name(Sex.FEMALE),
            status=status,
            status_date=status_date,
        )
        resident.nik = self._nik(resident, origin)
        if resident.nik and status == LifeStatus.ALIVE and age >= 17 and self._chance(0.14):
            resident.ikd_activated = True
            resident.ikd_activated_on = self._between(
                max(IKD_START, add_years(born, 17)), self.today
            )
        return resident

    def _nik(self, resident: Resident, origin: tables.Origin | None) -> str | None:
        born = resident.birth_date
        if (self.today - born).days < 180 and self._chance(0.6):
            return None  # not registered yet: no NIK, never a made-up one
        age = age_on(born, self.today)
        roll = self.rng.random()
        if origin is not None and age >= 20 and roll < 0.45:
            prefix = self.rng.choice(origin.prefixes)  # first issued before moving here
        elif age >= 30 and roll > 0.95:
            prefix = tables.OLD_PREFIX
        elif roll > 0.88:
            prefix = self.rng.choice(tables.OTHER_BALIKPAPAN_PREFIXES)
        else:
            prefix = tables.HOME_PREFIX
        return self.numbers.nik(prefix, resident.sex, born)

    def _birthplace_of_child(self, mother: Resident) -> tables.Origin | None:
        if mother.birth_place != "Balikpapan" and self._chance(0.12):
            return next(o for o in tables.ORIGINS if o.name == mother.birth_place)
        return None

    def _adult_origin(self) -> tables.Origin | None:
        return self._origin() if self._chance(0.45) else None

    # -- family pieces ---------------------------------------------------

    def _pair(
        self, religion: int, wife_age: tuple[int, int], *, female_head: bool = False
    ) -> tuple[Resident, Resident]:
        """A married couple: (head, spouse), married on the same date."""
        wife_born = self._born(*wife_age)
        husband_born = wife_born - timedelta(days=self.rng.randint(-2 * 365, 9 * 365))
        husband_born = min(husband_born, add_years(self.today, -20))
        wife_at_wedding = self.rng.randint(18, max(18, min(31, age_on(wife_born, self.today))))
        wedding = add_years(wife_born, wife_at_wedding) + timedelta(days=self.rng.randint(0, 300))
        wedding = max(wedding, add_years(husband_born, 19))
        wedding = min(wedding, self.today - timedelta(days=30))
        married = {"marital": MaritalStatus.MARRIED, "marriage_date": wedding}
        husband = self._person(
            Sex.MALE,
            husband_born,
            Relationship.HUSBAND if female_head else Relationship.HEAD,
            religion,
            origin=self._adult_origin(),
            **married,
        )
        wife = self._person(
            Sex.FEMALE,
            wife_born,
            Relationship.HEAD if female_head else Relationship.WIFE,
            religion,
            origin=self._adult_origin(),
            **married,
        )
        if female_head:
            return wife, husband
        return husband, wife

    def _children(
        self,
        count: int,
        father_name: str,
        mother: Resident,
        since: date,
        religion: int,
        *,
        keep_adults: float = 0.35,
    ) -> list[Resident]:
        """Children born after ``since``; grown-up ones mostly left, a few recorded as moved."""
        children: list[Resident] = []
        last_possible = min(self.today, add_years(mother.birth_date, 43))
        born = since + timedelta(days=self.rng.randint(300, 900))
        for _ in range(count):
            if born > last_possible:
                break
            sex = self._pick({Sex.MALE: 51, Sex.FEMALE: 49})
            age = age_on(born, self.today)
            family = {"father": father_name, "mother": mother.name}
            origin = self._birthplace_of_child(mother)
            if age < 24 or self._chance(keep_adults):
                children.append(
                    self._person(sex, born, Relationship.CHILD, religion, origin=origin, **family)
                )
            elif self._chance(0.2):
                moved_on = self._between(
                    max(add_years(born, 19), self.today - timedelta(days=3 * 365)), self.today
                )
                children.append(
                    self._person(
                        sex,
                        born,
                        Relationship.CHILD,
                        religion,
                        origin=origin,
                        status=LifeStatus.MOVED,
                        status_date=moved_on,
                        **family,
                    )
                )
            born += timedelta(days=self.rng.randint(450, 2000))
        return children

    def _child_count(self) -> int:
        return self._pick({1: 30, 2: 38, 3: 22, 4: 7, 5: 3})

    def _elder(
        self, sex: int, religion: int, relationship: int, child: Resident, *, may_die: bool
    ) -> Resident:
        """A widowed parent (or parent-in-law) of ``child``, living in the household."""
        born = child.birth_date - timedelta(days=self.rng.randint(20 * 365, 38 * 365))
        born = min(born, add_years(self.today, -58))
        born = max(born, self._born(86, 94))  # few people reach their late nineties
        died = None
        if may_die and self._chance(0.2):
            died = self._between(self.today - timedelta(days=3 * 365), self.today)
        elder = self._person(
            sex,
            born,
            relationship,
            religion,
            origin=self._adult_origin(),
            marital=MaritalStatus.WIDOWED,
            marriage_date=add_years(born, self.rng.randint(18, 27)),
            status=LifeStatus.DECEASED if died else LifeStatus.ALIVE,
            status_date=died,
        )
        if sex == Sex.MALE:
            child.father_name = elder.name
        else:
            child.mother_name = elder.name
        return elder

    # -- household kinds (each returns members, head first) --------------

    def _nuclear(self, religion: int) -> list[Resident]:
        head, spouse = self._pair(religion, (22, 62), female_head=self._chance(0.02))
        father, mother = (head, spouse) if head.sex == Sex.MALE else (spouse, head)
        kids = self._children(
            self._child_count(), father.name, mother, head.marriage_date, religion
        )
        return [head, spouse, *kids]

    def _couple(self, religion: int) -> list[Resident]:
        young = self._chance(0.55)
        head, spouse = self._pair(religion, (20, 30) if young else (50, 72))
        if not young:  # the children have left; maybe one recently moved out
            return [head, spouse, *self._children(1, head.name, spouse, head.marriage_date,
                                                  religion, keep_adults=0.0)]  # fmt: skip
        return [head, spouse]

    def _single(self, religion: int) -> list[Resident]:
        if self._chance(0.55):  # young worker with their own KK
            sex = self._pick({Sex.MALE: 60, Sex.FEMALE: 40})
            head = self._person(
                sex, self._born(21, 40), Relationship.HEAD, religion, origin=self._adult_origin()
            )
            return [head]
        # an elderly widow or widower, sometimes with the late spouse still on record
        sex = self._pick({Sex.FEMALE: 70, Sex.MALE: 30})
        born = self._born(60, 88)
        divorced = self._chance(0.15)
        head = self._person(
            sex,
            born,
            Relationship.HEAD,
            religion,
            origin=self._adult_origin(),
            marital=MaritalStatus.DIVORCED if divorced else MaritalStatus.WIDOWED,
            marriage_date=add_years(born, self.rng.randint(19, 28)),
        )
        members = [head]
        if not divorced and self._chance(0.35):
            other = Sex.MALE if sex == Sex.FEMALE else Sex.FEMALE
            died = self._between(self.today - timedelta(days=6 * 365), self.today)
            members.append(
                self._person(
                    other,
                    min(
                        born - timedelta(days=self.rng.randint(-3 * 365, 6 * 365)),
                        add_years(head.marriage_date, -18),
                    ),
                    Relationship.HUSBAND if other == Sex.MALE else Relationship.WIFE,
                    religion,
                    origin=self._adult_origin(),
                    marital=MaritalStatus.MARRIED,
                    marriage_date=head.marriage_date,
                    status=LifeStatus.DECEASED,
                    status_date=died,
                )
            )
        return members

    def _single_parent(self, religion: int) -> list[Resident]:
        sex = self._pick({Sex.FEMALE: 80, Sex.MALE: 20})
        born = self._born(30, 62)
        marital = self._pick({MaritalStatus.WIDOWED: 55, MaritalStatus.DIVORCED: 45})
        wedding = add_years(born, self.rng.randint(19, 28))
        head = self._person(
            sex,
            born,
            Relationship.HEAD,
            religion,
            origin=self._adult_origin(),
            marital=marital,
            marriage_date=wedding,
        )
        if sex == Sex.FEMALE:
            kids = self._children(self._child_count(), self._name(Sex.MALE), head, wedding,
                                  religion)  # fmt: skip
        else:
            # The children's mother (divorced or dead) is not on this KK: only
            # her name and age matter here, so she gets no NIK.
            mother = Resident(
                name=self._name(Sex.FEMALE),
                birth_date=born + timedelta(days=self.rng.randint(0, 6 * 365)),
                birth_place="Balikpapan",
            )
            kids = self._children(self._child_count(), head.name, mother, wedding, religion)
        return [head, *kids]

    def _with_parent(self, religion: int) -> list[Resident]:
        members = self._nuclear(religion)
        head, spouse = members[0], members[1]
        own_parent = self._chance(0.6)
        child = head if own_parent else spouse
        elder = self._elder(
            self._pick({Sex.FEMALE: 70, Sex.MALE: 30}),
            religion,
            Relationship.PARENT if own_parent else Relationship.PARENT_IN_LAW,
            child,
            may_die=True,
        )
        return [*members, elder]

    def _three_generations(self, religion: int) -> list[Resident]:
        head, spouse = self._pair(religion, (48, 66))
        wife = spouse if spouse.sex == Sex.FEMALE else head
        child_age = self.rng.randint(22, min(40, age_on(wife.birth_date, self.today) - 21))
        married_child_born = self._born(child_age, child_age)
        # The parents married before their first child was born.
        parents_wedding = self._between(
            add_years(wife.birth_date, 18), married_child_born - timedelta(days=300)
        )
        head.marriage_date = spouse.marriage_date = parents_wedding
        child_sex = self._pick({Sex.MALE: 50, Sex.FEMALE: 50})
        in_law_sex = Sex.FEMALE if child_sex == Sex.MALE else Sex.MALE
        wedding = self._between(add_years(married_child_born, 20), self.today - timedelta(days=400))
        married = {"marital": MaritalStatus.MARRIED, "marriage_date": wedding}
        child = self._person(
            child_sex,
            married_child_born,
            Relationship.CHILD,
            religion,
            father=head.name,
            mother=spouse.name,
            **married,
        )
        in_law_born = married_child_born - timedelta(days=self.rng.randint(-3 * 365, 5 * 365))
        in_law = self._person(
            in_law_sex,
            min(in_law_born, add_years(wedding, -18)),
            Relationship.CHILD_IN_LAW,
            religion,
            origin=self._adult_origin(),
            **married,
        )
        mother = child if child_sex == Sex.FEMALE else in_law
        father = in_law if child_sex == Sex.FEMALE else child
        grandchildren = self._children(
            self._pick({1: 55, 2: 35, 3: 10}), father.name, mother, wedding, religion
        )
        for grandchild in grandchildren:
            grandchild.relationship = Relationship.GRANDCHILD
        return [head, spouse, child, in_law, *grandchildren]

    def _with_relative(self, religion: int) -> list[Resident]:
        members = self._nuclear(religion)
        if self._chance(0.3) and members[0].education >= Education.D3:
            help_ = self._person(
                Sex.FEMALE,
                self._born(20, 50),
                Relationship.HOUSEHOLD_HELP,
                religion,
                origin=self._origin(),
                occupation=Occupation.PEMBANTU_RUMAH_TANGGA,
            )
            return [*members, help_]
        sex = self._pick({Sex.MALE: 50, Sex.FEMALE: 50})
        relative = self._person(
            sex, self._born(15, 24), Relationship.OTHER_FAMILY, religion, origin=self._origin()
        )
        return [*members, relative]

    # -- public ----------------------------------------------------------

    def household(self, rt, address: str, postal_code: str) -> tuple[Household, list[Resident]]:
        kind = self.rng.choices(self._kinds, weights=[w for _, w in self._kinds])[0][0]
        religion = self._pick(tables.RELIGIONS)
        members = kind(religion)
        head = members[0]
        recorded_on, issued_on, update_reason = self._kk_dates(head, members)
        household = Household(
            no_kk=self.numbers.no_kk(tables.HOME_PREFIX, recorded_on),
            rt=rt,
            address=address,
            postal_code=postal_code,
            issued_on=issued_on,
            needs_update=bool(update_reason),
            needs_update_reason=update_reason,
        )
        for member in members:
            member.household = household
            member.rt = rt
        return household, members

    def _kk_dates(self, head: Resident, members: list[Resident]) -> tuple[date, date, str]:
        """When the KK number was recorded, when the card was last issued, and why
        it needs a new card (a death or a move it does not show yet), if it does."""
        recent_cutoff = self.today - timedelta(days=RECENT_EVENT_DAYS)
        events = [
            (m.status_date, m.status)
            for m in members
            if m.status != LifeStatus.ALIVE and m.status_date is not None
        ]
        recent = [(day, status) for day, status in events if day > recent_cutoff]
        older = [day for day, _ in events if day <= recent_cutoff]
        # A card issued before a recent event; after every older one.
        high = min(day for day, _ in recent) - timedelta(days=1) if recent else self.today

        earliest = max(SIAK_START, add_years(head.birth_date, 18))
        if head.marriage_date and head.marital_status == MaritalStatus.MARRIED:
            earliest = max(earliest, head.marriage_date)
        recorded_on = self._between(earliest, min(high, self.today - timedelta(days=7)))
        living_births = [m.birth_date for m in members if m.status == LifeStatus.ALIVE]
        low = max([recorded_on, *(b + timedelta(days=14) for b in living_births),
                   *(d + timedelta(days=14) for d in older)])  # fmt: skip
        issued_on = self._between(min(low, high), high) if high >= recorded_on else recorded_on
        reason = ""
        if recent:
            reason = (
                "Anggota keluarga meninggal dunia; KK perlu diterbitkan ulang."
                if any(status == LifeStatus.DECEASED for _, status in recent)
                else "Anggota keluarga pindah; KK perlu diterbitkan ulang."
            )
        return recorded_on, min(issued_on, self.today), reason

    def boarder(self, rt) -> Resident:
        """A non-permanent resident: living in the RT without moving their KK here."""
        sex = self._pick({Sex.MALE: 65, Sex.FEMALE: 35})
        born = self._born(19, 42)
        age = age_on(born, self.today)
        married = age >= 25 and self._chance(0.35)
        origin = self._origin()
        resident = self._person(
            sex,
            born,
            None,
            self._pick(tables.RELIGIONS),
            origin=origin,
            marital=MaritalStatus.MARRIED if married else MaritalStatus.SINGLE,
            marriage_date=add_years(born, 23) if married else None,
        )
        if resident.nik and resident.nik[:6] == tables.HOME_PREFIX:
            # Their NIK was issued where they came from, not here.
            resident.nik = self.numbers.nik(self.rng.choice(origin.prefixes), sex, born)
        resident.occupation = self._job(tables.NON_PERMANENT_JOBS, resident.education)
        resident.residency = Residency.NON_PERMANENT
        resident.household = None
        resident.rt = rt
        return resident
