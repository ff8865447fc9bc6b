"""Demo reports: 60 days of Lapor RT reports for one kelurahan, with realistic gaps.

``seed_reports()`` is deterministic (same kelurahan, days, seed and today give
the same rows). RTs get a habit: about half report nearly every day, a third
irregularly (in runs), and the rest are silent (some never reported, some
stopped weeks ago), so the compliance page has something true to show. Recent
reports are left waiting in the approval queue; older ones are decided, a few
rejected or sent back with a reason.

This is seed data, not a door: reports dated weeks back cannot be filed
through ``report_save`` (reports may be dated only a few days back), so rows
and their audit events (created, submitted, approved, rejected) are written
in bulk with the times they would have had. Death reports are only left
pending (their approval would change residents), for living residents of the
RT when the population demo has been seeded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from backend.accounts.models import RoleAssignment
from backend.accounts.roles import Role
from backend.audit.context import Door
from backend.audit.models import Action
from backend.audit.services import build_event, record_many
from backend.population import codes
from backend.population.age import today_wita
from backend.population.models import Resident
from backend.population.synthetic import make_nik
from backend.reports import choices
from backend.reports.choices import FollowUp, Kind, State
from backend.reports.models import (
    ActivityDetail,
    DeathDetail,
    GotongRoyongDetail,
    IssueDetail,
    NonPermanentStay,
    Report,
    StayEndDetail,
    StayStartDetail,
)
from backend.wilayah.models import RT, Kelurahan

KARANG_REJO = "64.71.04.1003"
DEMO_PREFIX = "demo-"

ACTIVITIES = [
    ("meeting", "Rapat warga bulanan", "Balai RT"),
    ("posyandu", "Posyandu balita", "Posyandu Melati"),
    ("religious", "Pengajian rutin ibu-ibu", "Musala Al-Ikhlas"),
    ("religious", "Ibadah syukur lingkungan", "Rumah warga"),
    ("sport", "Senam pagi bersama", "Lapangan RT"),
    ("security", "Ronda malam", "Pos kamling"),
    ("social", "Arisan warga", "Rumah Ketua RT"),
    ("health", "Pemeriksaan kesehatan lansia", "Balai RT"),
    ("education", "Sosialisasi pemilahan sampah", "Balai RT"),
]
GOTONG_ROYONG = [
    ("drains", "Kerja bakti membersihkan parit", "200 m parit dibersihkan"),
    ("cleaning", "Bersih-bersih lingkungan", "Jalan gang dan taman bersih"),
    ("planting", "Penanaman pohon peneduh", "25 bibit ditanam"),
    ("repair", "Perbaikan pos kamling", "Atap pos kamling diganti"),
]
ISSUES = [
    ("problem", "infrastructure", "Drainase tersumbat", "Air meluap ke jalan saat hujan deras."),
    ("problem", "infrastructure", "Lampu jalan mati", "Tiga lampu jalan padam sejak pekan lalu."),
    ("problem", "environment", "Sampah menumpuk", "Sampah belum diangkut selama tiga hari."),
    ("need", "economy", "Pelatihan UMKM", "Ibu-ibu meminta pelatihan pengemasan produk."),
    ("need", "health", "Kursi roda untuk lansia", "Dua lansia membutuhkan kursi roda."),
    ("potential", "economy", "Kebun sayur warga", "Lahan kosong dapat ditanami sayuran."),
    ("problem", "security", "Pencurian helm", "Dua kali helm hilang di parkiran gang."),
]
PLACES = ["Gang Mawar", "Gang Melati", "Jl. Kenanga", "Gang Anggrek", "Jl. Flamboyan"]
REJECT_REASONS = [
    "Foto tidak sesuai kegiatan.",
    "Laporan ganda dengan laporan kemarin.",
    "Tanggal kegiatan salah, mohon dikirim ulang.",
]
REVISION_REASONS = ["Mohon lengkapi jumlah peserta.", "Lokasi kurang jelas."]
# Reported stays (Buku Penduduk Sementara): besides the non-permanent residents
# already in the kelurahan's register (the population demo), RTs report
# boarders, students and contract workers who arrive, mostly in the RTs where
# the register already shows kos areas. Some wait in the queue, a few ended.
STAYS = 48
STAYS_PENDING = 6
STAYS_ENDED = 6
STAY_PURPOSES = {"work": 55, "study": 30, "family": 10, "other": 5}
STAY_HOUSING = {
    "work": ["kontrakan", "kos", "mess"],
    "study": ["kos"],
    "family": ["family"],
    "other": ["kos", "kontrakan"],
}
STAY_NOTES = {"work": "Pekerja proyek", "study": "Mahasiswa", "family": "", "other": ""}


@dataclass
class DemoResult:
    reports: int = 0
    pending: int = 0
    stays: int = 0
    rts: dict[str, int] = field(default_factory=dict)  # habit -> number of RTs
    skipped: bool = False


def _wita(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _user(username: str, *, first_name: str, last_name: str = ""):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _ketua_of(rt: RT):
    """The RT's Ketua RT account (seed_demo makes them), else a demo account for it."""
    assignment = (
        RoleAssignment.objects.filter(role=Role.KETUA_RT, rt=rt, is_active=True)
        .select_related("user")
        .first()
    )
    if assignment is not None:
        return assignment.user
    user = _user(f"demo.ketua.rt{rt.number:03d}", first_name="Ketua", last_name=rt.label)
    RoleAssignment.objects.get_or_create(user=user, role=Role.KETUA_RT, rt=rt)
    return user


def _staff_of(kelurahan: Kelurahan):
    assignment = (
        RoleAssignment.objects.filter(
            role__in=[Role.STAF_KELURAHAN, Role.LURAH], kelurahan=kelurahan, is_active=True
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    if assignment is not None:
        return assignment.user
    user = _user(f"demo.staf.{kelurahan.code}", first_name="Staf", last_name=kelurahan.name)
    RoleAssignment.objects.get_or_create(user=user, role=Role.STAF_KELURAHAN, kelurahan=kelurahan)
    return user


def _habits(rts: list[RT], rng: random.Random) -> dict[int, str]:
    order = list(rts)
    rng.shuffle(order)
    n = len(order)
    reliable, irregular = round(n * 0.5), round(n * 0.35)
    habits = {}
    for i, rt in enumerate(order):
        if i < reliable:
            habits[rt.pk] = "reliable"
        elif i < reliable + irregular:
            habits[rt.pk] = "irregular"
        else:
            habits[rt.pk] = "silent_never" if i % 2 else "silent_stopped"
    return habits


def _reports_today(habit: str, offset: int, reported_yesterday: bool, rng) -> int:
    if habit == "reliable":
        p = 0.94
    elif habit == "irregular":
        p = 0.62 if reported_yesterday else 0.3
    elif habit == "silent_stopped":
        p = 0.8 if offset > 25 else 0.0
    else:
        p = 0.0
    if rng.random() >= p:
        return 0
    return 2 if rng.random() < 0.12 else 1


def _kind(day: date, rng: random.Random) -> str:
    roll = rng.random()
    if day.weekday() == 6 and roll < 0.45:
        return Kind.GOTONG_ROYONG
    if roll < 0.52:
        return Kind.NIHIL
    if roll < 0.8:
        return Kind.ACTIVITY
    if roll < 0.88:
        return Kind.GOTONG_ROYONG
    return Kind.ISSUE


def _details(kind: str, day: date, rng: random.Random) -> dict:
    if kind == Kind.ACTIVITY:
        category, title, place = rng.choice(ACTIVITIES)
        return {
            "category": category,
            "title": title,
            "place": place,
            "participants": rng.randint(8, 60),
            "start_time": time(rng.choice([8, 9, 16, 19, 20]), 0),
            "description": f"{title} berjalan lancar.",
        }
    if kind == Kind.GOTONG_ROYONG:
        activity_type, title, output = rng.choice(GOTONG_ROYONG)
        return {
            "activity_type": activity_type,
            "title": title,
            "place": rng.choice(PLACES),
            "institutions": sorted(rng.sample(["rt", "pkk", "karang_taruna", "lpm"], 2)),
            "participants": rng.randint(12, 45),
            "output": output,
            "labour_value": rng.randint(5, 30) * 100_000,
            "materials_value": rng.randint(0, 10) * 50_000,
            "cash_value": rng.randint(0, 6) * 50_000,
            "is_bbgrm": day.month == 5,
        }
    issue_type, category, title, description = rng.choice(ISSUES)
    return {
        "issue_type": issue_type,
        "category": category,
        "title": title,
        "location": rng.choice(PLACES),
        "description": description,
    }


@transaction.atomic
def seed_reports(
    *,
    kelurahan_code: str = KARANG_REJO,
    days: int = 60,
    seed: int = 20260501,
    today: date | None = None,
    reset: bool = False,
) -> DemoResult:
    """Create ``days`` days of demo reports for the kelurahan's RTs (once; ``reset`` redoes)."""
    today = today or today_wita()
    rng = random.Random(f"{seed}-{kelurahan_code}-{days}-{today.isoformat()}")
    kelurahan = Kelurahan.objects.get(code=kelurahan_code)
    rts = list(RT.objects.filter(kelurahan=kelurahan, is_active=True).order_by("number"))
    demo_reports = Report.objects.filter(
        rt__kelurahan=kelurahan, client_key__startswith=DEMO_PREFIX
    )
    if demo_reports.exists():
        if not reset:
            return DemoResult(skipped=True, reports=demo_reports.count())
        StayEndDetail.objects.filter(report__in=demo_reports).delete()
        NonPermanentStay.objects.filter(opened_by__in=demo_reports).delete()
        demo_reports.delete()

    staff = _staff_of(kelurahan)
    habits = _habits(rts, rng)
    result = DemoResult()
    for habit in habits.values():
        result.rts[habit] = result.rts.get(habit, 0) + 1

    plans: list[tuple[Report, dict | None]] = []
    for rt in rts:
        ketua = _ketua_of(rt)
        reported_yesterday = False
        for offset in range(days - 1, -1, -1):
            day = today - timedelta(days=offset)
            count = _reports_today(habits[rt.pk], offset, reported_yesterday, rng)
            reported_yesterday = count > 0
            kinds_today: list[str] = []
            for n in range(count):
                kind = _kind(day, rng)
                if kind == Kind.NIHIL and (kinds_today or n > 0):
                    kind = Kind.ACTIVITY
                kinds_today.append(kind)
                plans.append(_plan(rt, ketua, staff, day, offset, n, kind, today, rng))
    plans += _pending_deaths(rts, staff, today, rng)
    stay_plans, ending = _stays(rts, staff, today, rng)
    plans += stay_plans

    _not_in_the_future([report for report, _detail in plans], rng)
    reports = Report.objects.bulk_create([report for report, _detail in plans])
    _write_details(plans)
    stays = _open_stays([(r, d) for r, d in stay_plans if r.state == State.APPROVED])
    by_report = {stay.opened_by_id: stay for stay in stays}
    end_plans = _stay_ends([by_report[stay_plans[i][0].pk] for i in ending], staff, today, rng)
    _not_in_the_future([report for report, _detail in end_plans], rng)
    Report.objects.bulk_create([report for report, _detail in end_plans])
    _write_details(end_plans)
    for stay in by_report.values():
        if stay.closed_by is not None:
            stay.closed_by_id = stay.closed_by.pk
    NonPermanentStay.objects.bulk_update(
        [d["stay"] for _r, d in end_plans], ["end_date", "end_reason", "closed_by"]
    )
    plans += end_plans
    reports += [report for report, _detail in end_plans]
    record_many(_events(plans, staff))
    record_many(_stay_events(stays, staff))

    result.reports = len(reports)
    result.pending = sum(1 for r in reports if r.state == State.SUBMITTED)
    result.stays = sum(1 for stay in stays if stay.end_date is None)
    return result


def _plan(rt, ketua, staff, day, offset, n, kind, today, rng) -> tuple[Report, dict | None]:
    submitted_at = _wita(day, rng.randint(17, 21), rng.randint(0, 59))
    decision: dict = {"state": State.SUBMITTED}
    if kind == Kind.NIHIL:
        decision = {"state": State.APPROVED, "decided_at": submitted_at}
    elif offset >= 3 or rng.random() < 0.35:
        roll = rng.random()
        decided_at = min(
            submitted_at + timedelta(hours=rng.randint(10, 40)),
            _wita(today, 8, 0) if offset >= 1 else submitted_at + timedelta(minutes=30),
        )
        decision = {"state": State.APPROVED, "decided_at": decided_at, "decided_by": staff}
        if roll < 0.04:
            decision.update(state=State.REJECTED, decision_reason=rng.choice(REJECT_REASONS))
        elif roll < 0.06 and offset < 10:
            decision.update(
                state=State.REVISION_REQUESTED, decision_reason=rng.choice(REVISION_REASONS)
            )
    report = Report(
        kind=kind,
        rt=rt,
        report_date=day,
        reporter=ketua,
        client_key=f"{DEMO_PREFIX}{rt.code}-{day:%Y%m%d}-{n}",
        submitted_at=submitted_at,
        **decision,
    )
    detail = _details(kind, day, rng) if kind != Kind.NIHIL else None
    if detail is not None and kind == Kind.ISSUE and report.state == State.APPROVED:
        detail["follow_up"] = rng.choice([FollowUp.NEW, FollowUp.IN_PROGRESS, FollowUp.DONE])
        if detail["follow_up"] != FollowUp.NEW:
            detail["follow_up_note"] = "Diteruskan ke dinas terkait."
            detail["follow_up_at"] = report.decided_at
            detail["follow_up_by"] = staff
    return report, detail


def _pending_deaths(rts, staff, today, rng) -> list[tuple[Report, dict]]:
    """Up to two death reports waiting in the queue, for living residents (if any)."""
    plans = []
    candidates = list(
        Resident.objects.filter(
            rt__in=rts,
            status=codes.LifeStatus.ALIVE,
            residency=codes.Residency.PERMANENT,
            birth_date__lte=today - timedelta(days=365 * 65),
        ).order_by("pk")[:50]
    )
    for i, resident in enumerate(rng.sample(candidates, min(2, len(candidates)))):
        rt = next(rt for rt in rts if rt.pk == resident.rt_id)
        day = today - timedelta(days=i)
        report = Report(
            kind=Kind.DEATH,
            rt=rt,
            report_date=day,
            reporter=_ketua_of(rt),
            client_key=f"{DEMO_PREFIX}{rt.code}-{day:%Y%m%d}-death-{resident.pk}",
            submitted_at=_wita(day, 7, 30 + i),
            state=State.SUBMITTED,
        )
        plans.append(
            (
                report,
                {
                    "resident": resident,
                    "death_date": day - timedelta(days=1),
                    "death_time": time(rng.randint(0, 23), rng.choice([0, 15, 30, 45])),
                    "place": choices.DeathPlace.HOME,
                    "cause": choices.DeathCause.ILLNESS_OR_AGE,
                    "certifier": choices.DeathCertifier.HEALTH_WORKER,
                    "informant_name": "Keluarga almarhum",
                    "informant_relationship": choices.ReporterRelationship.CHILD,
                    "burial_place": "TPU Karang Rejo",
                    "burial_date": day,
                },
            )
        )
    return plans


def _stays(rts, staff, today, rng) -> tuple[list[tuple[Report, dict]], list[int]]:
    """Arrival reports: ``STAYS`` people, most approved (open stays), the newest
    waiting for a decision; returns the plans and which of them end (indexes)."""
    from faker import Faker

    from backend.population.demo.tables import ORIGINS

    registered = dict(
        Resident.objects.filter(
            rt__in=rts,
            residency=codes.Residency.NON_PERMANENT,
            status=codes.LifeStatus.ALIVE,
        )
        .values("rt")
        .annotate(n=Count("pk"))
        .values_list("rt", "n")
    )
    weights = [1 + 3 * registered.get(rt.pk, 0) for rt in rts]
    # Unique across the city and across runs for other kelurahan: residents,
    # stays, and arrivals still waiting (or drafted) anywhere.
    taken = set(Resident.objects.exclude(nik=None).values_list("nik", flat=True))
    taken |= set(NonPermanentStay.objects.exclude(nik="").values_list("nik", flat=True))
    taken |= set(StayStartDetail.objects.exclude(nik="").values_list("nik", flat=True))
    fake = Faker("id_ID")
    fake.seed_instance(rng.randint(0, 2**31))
    origins = [o for o in ORIGINS if not o.prefixes[0].startswith("647104")]
    serial = 7000

    plans: list[tuple[Report, dict]] = []
    for i in range(STAYS):
        rt = rng.choices(rts, weights)[0]
        sex = rng.choice([1, 1, 2])
        born = today - timedelta(days=365 * rng.randint(18, 40) + rng.randint(0, 364))
        origin = rng.choices(origins, [o.weight for o in origins])[0]
        while True:
            serial += 1
            nik = make_nik(rng.choice(origin.prefixes), sex, born, serial)
            if nik not in taken:
                taken.add(nik)
                break
        purpose = rng.choices(list(STAY_PURPOSES), list(STAY_PURPOSES.values()))[0]
        pending = i >= STAYS - STAYS_PENDING
        if pending:
            start = today - timedelta(days=rng.randint(0, 4))
            day = min(today, start + timedelta(days=rng.randint(0, 1)))
        else:
            # The first one began long ago, so the register shows a stay near one year.
            age = 350 if i == 0 else rng.randint(8, 320)
            start = today - timedelta(days=age)
            day = start + timedelta(days=rng.randint(0, 3))
        decision = (
            {"state": State.SUBMITTED}
            if pending
            else {
                "state": State.APPROVED,
                "decided_at": _wita(day + timedelta(days=1), 9, rng.randint(0, 59)),
                "decided_by": staff,
            }
        )
        report = Report(
            kind=Kind.STAY_START,
            rt=rt,
            report_date=day,
            reporter=_ketua_of(rt),
            client_key=f"{DEMO_PREFIX}{rt.code}-{day:%Y%m%d}-stay-{i}",
            submitted_at=_wita(day, 19, rng.randint(0, 59)),
            **decision,
        )
        first = fake.first_name_male() if sex == 1 else fake.first_name_female()
        plans.append(
            (
                report,
                {
                    "nik": nik,
                    "name": f"{first} {fake.last_name()}",
                    "sex": sex,
                    "birth_place": origin.name,
                    "birth_date": born,
                    "origin_address": f"{fake.street_address()}, {origin.name}",
                    "purpose": purpose,
                    "purpose_note": STAY_NOTES[purpose],
                    "housing": rng.choice(STAY_HOUSING[purpose]),
                    "host_address": f"{rng.choice(PLACES)} No. {rng.randint(1, 40)}",
                    "start_date": start,
                    "expected_end_date": start + timedelta(days=rng.choice([90, 180, 270, 360])),
                },
            )
        )
    older = [i for i, (r, d) in enumerate(plans) if r.state == State.APPROVED]
    older = [i for i in older if (today - plans[i][1]["start_date"]).days > 60 and i > 0]
    ended = sorted(rng.sample(older, min(STAYS_ENDED, len(older))))
    return plans, ended


def _stay_ends(stays: list[NonPermanentStay], staff, today, rng) -> list[tuple[Report, dict]]:
    """Approved end-of-stay reports for ``stays``; closes them (in memory, saved by the caller)."""
    plans = []
    for stay in stays:
        latest = min(today - timedelta(days=2), stay.start_date + timedelta(days=200))
        end = stay.start_date + timedelta(days=rng.randint(30, (latest - stay.start_date).days))
        report = Report(
            kind=Kind.STAY_END,
            rt=stay.rt,
            report_date=end,
            reporter=_ketua_of(stay.rt),
            client_key=f"{DEMO_PREFIX}{stay.rt.code}-{end:%Y%m%d}-stay-end-{stay.pk}",
            submitted_at=_wita(end, 20, rng.randint(0, 59)),
            state=State.APPROVED,
            decided_at=_wita(end + timedelta(days=1), 10, rng.randint(0, 59)),
            decided_by=staff,
        )
        reason = rng.choice([choices.StayEndReason.RETURNED, choices.StayEndReason.MOVED_ON])
        stay.end_date, stay.end_reason, stay.closed_by = end, reason, report
        plans.append((report, {"stay": stay, "end_date": end, "reason": reason}))
    return plans


_DETAIL_MODELS = {
    Kind.ACTIVITY: ActivityDetail,
    Kind.GOTONG_ROYONG: GotongRoyongDetail,
    Kind.ISSUE: IssueDetail,
    Kind.DEATH: DeathDetail,
    Kind.STAY_START: StayStartDetail,
    Kind.STAY_END: StayEndDetail,
}


def _write_details(plans) -> None:
    by_model: dict[type, list] = {}
    for report, detail in plans:
        if detail is None:
            continue
        model = _DETAIL_MODELS[report.kind]
        by_model.setdefault(model, []).append(model(report=report, **detail))
    for model, rows in by_model.items():
        model.objects.bulk_create(rows, batch_size=500)


def _open_stays(plans) -> list[NonPermanentStay]:
    return NonPermanentStay.objects.bulk_create(
        [
            NonPermanentStay(
                rt=report.rt,
                opened_by=report,
                **{k: v for k, v in detail.items()},
            )
            for report, detail in plans
        ]
    )


def _events(plans, staff):
    for report, _detail in plans:
        yield _event(report, report.reporter, Action.CREATED, report.submitted_at, Door.GRAPHQL)
        yield _event(
            report,
            report.reporter,
            Action.SUBMITTED,
            report.submitted_at,
            Door.GRAPHQL,
            {"state": [State.DRAFT, State.SUBMITTED]},
        )
        if report.state == State.SUBMITTED:
            continue
        action = {
            State.APPROVED: Action.APPROVED,
            State.REJECTED: Action.REJECTED,
            State.REVISION_REQUESTED: Action.REVISION_REQUESTED,
        }[report.state]
        automatic = report.kind == Kind.NIHIL
        yield _event(
            report,
            report.reporter if automatic else staff,
            action,
            report.decided_at,
            Door.GRAPHQL if automatic else Door.ADMIN,
            {"state": [State.SUBMITTED, report.state]},
            note="automatic" if automatic else report.decision_reason,
        )


def _not_in_the_future(reports: list[Report], rng: random.Random) -> None:
    """Today's reports were sent (and some decided) before now, not this evening."""
    now = timezone.now()
    for report in reports:
        if report.submitted_at and report.submitted_at > now:
            report.submitted_at = now - timedelta(minutes=rng.randint(20, 240))
            floor = timezone.make_aware(datetime.combine(report.report_date, time(0, 5)))
            report.submitted_at = max(report.submitted_at, floor)
        if report.decided_at and report.decided_at > now:
            report.decided_at = max(
                report.submitted_at, now - timedelta(minutes=rng.randint(1, 15))
            )


def _stay_events(stays, staff):
    """The register's own trail: each stay created by its arrival's approval (and
    updated by its end's), as ``kinds.apply_approval`` writes them."""
    from backend.audit.services import snapshot

    for stay in stays:
        opened = snapshot(stay)
        if stay.end_date is not None:
            opened.update(end_date=None, end_reason="", closed_by=None)
        event = build_event(
            actor=staff,
            action=Action.CREATED,
            instance=stay,
            snapshot=opened,
            rt=stay.rt,
            note=stay.opened_by.label,
        )
        event.occurred_at, event.door = stay.opened_by.decided_at, Door.ADMIN
        yield event
        if stay.end_date is not None:
            event = build_event(
                actor=staff,
                action=Action.UPDATED,
                instance=stay,
                changes={
                    "end_date": [None, stay.end_date.isoformat()],
                    "end_reason": ["", stay.end_reason],
                    "closed_by": [None, stay.closed_by_id],
                },
                rt=stay.rt,
                note=stay.closed_by.label,
            )
            event.occurred_at, event.door = stay.closed_by.decided_at, Door.ADMIN
            yield event


def _event(report, actor, action, at, door, changes=None, note=""):
    event = build_event(
        actor=actor,
        action=action,
        instance=report,
        entity_label=report.label,
        changes=changes or {},
        rt=report.rt,
        note=note,
    )
    event.occurred_at = at
    event.door = door
    return event


# -- removing (seed_demo --reset) ---------------------------------------------------

# Accounts this module creates for RTs and kelurahan without a demo account.
DEMO_USER_REGEX = r"^demo\.(ketua\.rt[0-9]{3}|staf\.[0-9.]+)$"


@dataclass
class RemoveResult:
    reports: int = 0
    stays: int = 0
    audit_events: int = 0


def remove_reports(rts) -> RemoveResult:
    """Delete every report and stay of ``rts`` (an RT queryset), before the population
    they point at (death reports and stays protect residents and households).

    Like the population reset: each removed report and stay gets a "deleted"
    audit event (in bulk), so its history ends instead of pointing at a row that
    silently vanished; photo files go once the transaction commits. Run inside
    the caller's transaction.
    """
    from backend.reports import photos
    from backend.reports.models import ReportPhoto

    reports = Report.objects.filter(rt__in=rts)
    report_rows = list(reports.values_list("pk", "rt_id"))
    stays = NonPermanentStay.objects.filter(rt__in=rts)
    stay_rows = list(stays.values_list("pk", "rt_id"))
    doomed_photos = list(ReportPhoto.objects.filter(report__in=reports))
    rt_of = rts.select_related("kelurahan").in_bulk()

    # Who points at whom: end-of-stay details protect stays, stays protect reports.
    StayEndDetail.objects.filter(report__in=reports).delete()
    stays.delete()
    removed = reports.delete()[1].get(Report._meta.label, 0)
    transaction.on_commit(lambda: photos.delete_files(doomed_photos))

    def gone(model, rows):
        label = str(model._meta.verbose_name)
        for pk, rt_id in rows:
            event = build_event(
                actor=None,
                action=Action.DELETED,
                entity_type=model._meta.label_lower,
                entity_id=pk,
                entity_label=f"{label} #{pk}",
                rt=rt_of.get(rt_id, rt_id),
                note="seed_demo --reset",
            )
            yield event

    events = record_many([*gone(Report, report_rows), *gone(NonPermanentStay, stay_rows)])
    return RemoveResult(reports=removed, stays=len(stay_rows), audit_events=len(events))
