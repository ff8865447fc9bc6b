"""The demo population of Kecamatan Balikpapan Tengah, and the demo accounts.

About 15,000 residents in about 4,500 households over Karang Rejo's 87 RTs
(RT sizes vary), and a few hundred in each of the other five kelurahan of
the kecamatan, spread over a handful of their RTs. Deterministic: the same
``seed``, ``scale`` and reference date give the same people, NIKs and KK
numbers. All synthetic.

BULK WRITE PATH. Seeding does not call the single-row services
(``resident_register`` and friends): fifteen thousand scope checks,
uniqueness queries and single-row audit INSERTs would take minutes. It
builds the rows in memory (valid by construction, see ``families``), writes
them with ``bulk_create`` in batches inside one transaction, and writes one
audit event per created household and resident with ``build_event`` +
``record_many`` (door ``command``), so the audit cost stays visible in the
seeding time. When the bulk population services of the imports work exist,
seeding can move onto them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from faker import Faker

from backend.accounts.models import User
from backend.audit.context import Door, audit_context
from backend.audit.models import Action, AuditEvent
from backend.audit.services import build_event, diff, record_many, snapshot
from backend.population.age import today_wita
from backend.population.demo import tables
from backend.population.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    create_demo_accounts,
)
from backend.population.demo.families import FamilyMaker, NumberBook
from backend.population.models import Household, Resident
from backend.wilayah.models import RT, Kelurahan

__all__ = [
    "DEFAULT_SEED",
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "REFERENCE_DATE",
    "DemoError",
    "SeedResult",
    "database_is_empty",
    "demo_present",
    "reset_demo",
    "seed_demo",
]

DEFAULT_SEED = 2026
# Ages and dates are computed against this day, not the clock, so the demo is
# the same whenever it is seeded (people simply grow older afterwards).
REFERENCE_DATE = date(2026, 12, 1)
BATCH_SIZE = 1000
AUDIT_NOTE = "seed_demo"
POPULATION_ENTITIES = ("population.household", "population.resident")


class DemoError(Exception):
    """The demo cannot be seeded or reset as asked (nothing was written)."""


@dataclass
class SeedResult:
    households: int = 0
    residents: int = 0
    audit_events: int = 0
    accounts: int = 0
    by_kelurahan: dict[str, tuple[int, int]] = field(default_factory=dict)
    seconds_build: float = 0.0
    seconds_population: float = 0.0
    seconds_audit: float = 0.0
    seconds_accounts: float = 0.0

    @property
    def rows(self) -> int:
        return self.households + self.residents + self.audit_events

    @property
    def seconds_total(self) -> float:
        return (
            self.seconds_build
            + self.seconds_population
            + self.seconds_audit
            + self.seconds_accounts
        )


def _area_rts():
    return RT.objects.filter(kelurahan__kecamatan__code=tables.KECAMATAN_CODE)


def demo_present() -> bool:
    """Whether demo households, residents or accounts are already in the database."""
    rts = _area_rts()
    return (
        Household.objects.filter(rt__in=rts).exists()
        or Resident.objects.filter(rt__in=rts).exists()
        or User.objects.filter(username__in=DEMO_USERNAMES).exists()
    )


def database_is_empty() -> bool:
    """No households, residents or users at all: a fresh database for ``bin/run``."""
    return not (Household.objects.exists() or Resident.objects.exists() or User.objects.exists())


def _rt_sizes(rng: random.Random, rts: list[RT], total: int) -> list[int]:
    """Households per RT: varying sizes (roughly 20-110 KK at full scale), summing to ``total``."""
    weights = [rng.lognormvariate(0, 0.4) for _ in rts]
    scale = total / sum(weights)
    sizes = [max(1, round(w * scale)) for w in weights]
    # Put the rounding difference on the largest RTs so the sum is exact.
    order = sorted(range(len(rts)), key=lambda i: -sizes[i])
    diff_ = total - sum(sizes)
    i = 0
    while diff_ != 0 and sizes:
        k = order[i % len(order)]
        step = 1 if diff_ > 0 else -1
        if sizes[k] + step >= 1:
            sizes[k] += step
            diff_ -= step
        i += 1
    return sizes


def _plan(
    rng: random.Random, kelurahan_codes: Iterable[str], scale: float
) -> list[tuple[Kelurahan, list[tuple[RT, int]]]]:
    """For each kelurahan, the RTs that get households and how many each."""
    plan = []
    for code in kelurahan_codes:
        try:
            kelurahan = Kelurahan.objects.get(code=code)
        except Kelurahan.DoesNotExist:
            raise DemoError(
                f"Kelurahan {code} is missing; run `manage.py load_regions` first."
            ) from None
        rts = list(RT.objects.filter(kelurahan=kelurahan, rw__isnull=True).order_by("number"))
        rts = [rt for rt in rts if rt.is_active]
        if code == tables.KARANG_REJO:
            if len(rts) < 87:
                raise DemoError(f"Karang Rejo has {len(rts)} RTs; expected 87 (load_regions).")
            total = max(len(rts), round(tables.KARANG_REJO_HOUSEHOLDS * scale))
            chosen = rts
        else:
            rt_count, households = tables.OTHER_KELURAHAN[code]
            if not rts:
                raise DemoError(f"Kelurahan {code} has no RTs; run `manage.py load_regions`.")
            chosen = sorted(rng.sample(rts, min(rt_count, len(rts))), key=lambda r: r.number)
            total = max(len(chosen), round(households * scale))
        for rt in chosen:
            rt.kelurahan = kelurahan  # saves a query per audit event (build_event reads it)
        plan.append((kelurahan, list(zip(chosen, _rt_sizes(rng, chosen, total), strict=True))))
    return plan


def _addresses(rng: random.Random, count: int) -> list[str]:
    """``count`` house addresses on two or three gang of one RT."""
    streets = rng.sample(tables.STREETS, rng.randint(2, 3))
    numbers = rng.sample(range(1, 160), min(count, 159))
    while len(numbers) < count:
        numbers.append(len(numbers) + 160)
    out = []
    for n in numbers:
        suffix = rng.choice("ABC") if rng.random() < 0.06 else ""
        out.append(f"{rng.choice(streets)} No. {n}{suffix}")
    return out


def _boarder_count(rng: random.Random, households: int, kos_area: bool) -> int:
    """Non-permanent residents in the kelurahan's register (as SIAK or an OpenSID
    import would bring them), mostly in the kos areas. The RTs report more
    arrivals as stays (``backend.reports.demo``); both count as non-permanent."""
    if kos_area:
        return max(1, round(households * rng.uniform(0.06, 0.14)))
    return sum(rng.random() < 0.01 for _ in range(households))


def seed_demo(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    kelurahan_codes: Iterable[str] | None = None,
    with_accounts: bool = True,
    reference_date: date | None = None,
) -> SeedResult:
    """Write the demo population (and accounts) in one transaction.

    Refuses with ``DemoError`` when demo data is already present (reset it
    first) or the regions are not loaded.
    """
    if scale <= 0:
        raise DemoError("The scale must be positive.")
    if demo_present():
        raise DemoError("Demo data is already present; reset it first (seed_demo --reset).")
    reference = min(reference_date or REFERENCE_DATE, today_wita())
    codes = list(kelurahan_codes or [tables.KARANG_REJO, *tables.OTHER_KELURAHAN])
    result = SeedResult()

    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    numbers = NumberBook(
        rng,
        set(Resident.objects.exclude(nik=None).values_list("nik", flat=True)),
        set(Household.objects.values_list("no_kk", flat=True)),
    )
    maker = FamilyMaker(rng, fake, reference, numbers)
    households: list[Household] = []
    residents: list[Resident] = []
    for kelurahan, rt_sizes in _plan(rng, codes, scale):
        kos_rts = {rt.pk for rt, _ in rng.sample(rt_sizes, max(1, len(rt_sizes) // 8))}
        before = (len(households), len(residents))
        for rt, size in rt_sizes:
            for address in _addresses(rng, size):
                household, members = maker.household(rt, address, kelurahan.postal_code)
                households.append(household)
                residents.extend(members)
            for _ in range(_boarder_count(rng, size, rt.pk in kos_rts)):
                residents.append(maker.boarder(rt))
        result.by_kelurahan[kelurahan.code] = (
            len(households) - before[0],
            len(residents) - before[1],
        )
    result.seconds_build = time.perf_counter() - started

    # BULK WRITE PATH (see the module docstring): rows valid by construction,
    # bulk INSERTs, one audit event per row written in bulk.
    # TODO(issue 2): write through the bulk population services of the
    # imports work once they exist (same rules, one path); keep the audit
    # rows in bulk. Until then this is the only writer that skips the services.
    with transaction.atomic(), audit_context(door=Door.COMMAND):
        started = time.perf_counter()
        Household.objects.bulk_create(households, batch_size=BATCH_SIZE)
        Resident.objects.bulk_create(residents, batch_size=BATCH_SIZE)
        result.seconds_population = time.perf_counter() - started

        started = time.perf_counter()
        result.audit_events = len(record_many(_created_events([*households, *residents])))
        result.seconds_audit = time.perf_counter() - started

        started = time.perf_counter()
        if with_accounts:
            result.accounts = len(create_demo_accounts())
        result.seconds_accounts = time.perf_counter() - started

    result.households, result.residents = len(households), len(residents)
    return result


def _created_events(rows: list[Household | Resident]) -> Iterable[AuditEvent]:
    """One "created" event per row, as the single-row services would write it."""
    labels = {model: str(model._meta.verbose_name) for model in (Household, Resident)}
    for row in rows:
        after = snapshot(row)
        yield build_event(
            actor=None,
            action=Action.CREATED,
            instance=row,
            # The label the services write, translated once instead of per row.
            entity_label=f"{labels[type(row)]} #{row.pk}",
            changes=diff({}, after),
            snapshot=after,
            rt=row.rt,
            note=AUDIT_NOTE,
        )


@dataclass
class ResetResult:
    households: int = 0
    residents: int = 0
    accounts: int = 0
    audit_events: int = 0
    reports: int = 0
    stays: int = 0


@transaction.atomic
def reset_demo() -> ResetResult:
    """Remove the demo: every report, stay, household and resident of Balikpapan Tengah
    and the demo accounts.

    Audit events are never deleted: each removed household and resident gets
    a "deleted" event (written in bulk), so its history ends instead of
    pointing at a row that silently vanished.
    """
    # Reports and stays point at residents, households and demo users (PROTECT):
    # they go first, with their own "deleted" events. API tokens and role
    # assignments go with their users (CASCADE).
    from backend.reports.demo import DEMO_USER_REGEX, remove_reports

    rts = _area_rts()
    result = ResetResult()
    with audit_context(door=Door.COMMAND):
        reports = remove_reports(rts)
        result.reports, result.stays = reports.reports, reports.stays
        result.audit_events += reports.audit_events
        residents = Resident.objects.filter(Q(rt__in=rts) | Q(household__rt__in=rts))
        households = Household.objects.filter(rt__in=rts)
        rt_of = rts.select_related("kelurahan").in_bulk()
        gone = [
            ("population.resident", pk, rt_id) for pk, rt_id in residents.values_list("pk", "rt")
        ]
        gone += [
            ("population.household", pk, rt_id) for pk, rt_id in households.values_list("pk", "rt")
        ]
        result.residents = residents.delete()[1].get(Resident._meta.label, 0)
        result.households = households.delete()[1].get(Household._meta.label, 0)
        result.audit_events += len(
            record_many(
                build_event(
                    actor=None,
                    action=Action.DELETED,
                    entity_type=entity_type,
                    entity_id=pk,
                    entity_label=f"{_verbose(entity_type)} #{pk}",
                    rt=rt_of.get(rt_id, rt_id),
                    note="seed_demo --reset",
                )
                for entity_type, pk, rt_id in gone
            )
        )
        result.accounts = (
            User.objects.filter(Q(username__in=DEMO_USERNAMES) | Q(username__regex=DEMO_USER_REGEX))
            .delete()[1]
            .get(User._meta.label, 0)
        )
    return result


def _verbose(entity_type: str) -> str:
    model = Household if entity_type == "population.household" else Resident
    return str(model._meta.verbose_name)
