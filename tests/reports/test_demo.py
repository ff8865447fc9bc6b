"""Demo reports: deterministic, realistic habits, something in the queue, audited."""

from __future__ import annotations

from datetime import date

from django.core.management import call_command

from backend.audit.models import Action, AuditEvent
from backend.reports import compliance, selectors
from backend.reports.choices import State
from backend.reports.demo import seed_reports
from backend.reports.models import NonPermanentStay, Report
from tests.conftest import make_household

TODAY = date(2026, 5, 20)


def _fingerprint():
    return list(
        Report.objects.order_by("rt_id", "report_date", "client_key").values_list(
            "rt__number", "report_date", "kind", "state"
        )
    )


def test_demo_is_deterministic_and_runs_once(regions):
    first = seed_reports(today=TODAY, days=15)
    rows = _fingerprint()
    assert first.reports == len(rows) > 500
    assert seed_reports(today=TODAY, days=15).skipped  # a second run changes nothing
    assert _fingerprint() == rows
    again = seed_reports(today=TODAY, days=15, reset=True)
    assert again.reports == first.reports and _fingerprint() == rows


def test_demo_rts_have_habits_and_the_queue_has_work(regions, actors):
    result = seed_reports(today=TODAY, days=30)
    assert set(result.rts) == {"reliable", "irregular", "silent_never", "silent_stopped"}
    assert sum(result.rts.values()) == 87
    assert result.pending > 10
    figures = compliance.compute(
        actor=actors.lurah, start=date(2026, 4, 21), end=TODAY, today=TODAY
    )
    rates = sorted(rt.rate or 0 for rt in figures.rts)
    assert rates[0] == 0 and rates[-1] > 0.9  # silent and reliable RTs
    assert 0.3 < figures.total.rate < 0.8
    # Karang Rejo uses Lapor RT (its seeded reports); Karang Jati, without any, does not.
    by_name = {
        k.name: k
        for k in compliance.compute(
            actor=actors.camat, start=date(2026, 4, 21), end=TODAY, today=TODAY
        ).kelurahan
    }
    assert by_name["Karang Rejo"].uses_lapor_rt and by_name["Karang Rejo"].rts == 87
    assert not by_name["Karang Jati"].uses_lapor_rt
    assert selectors.report_queue(actor=actors.staf_kelurahan).count() == result.pending
    assert Report.objects.filter(state=State.REJECTED).exists()
    assert Report.objects.filter(kind="gotong_royong", gotongroyongdetail__is_bbgrm=True).exists()
    stays = NonPermanentStay.objects.all()
    assert stays.filter(end_date__isnull=True).count() == result.stays
    assert result.stays == 48 - 6 - 6  # some wait in the queue, a few ended
    assert stays.filter(end_date__isnull=False, closed_by__state=State.APPROVED).count() == 6
    assert Report.objects.filter(kind="stay_start", state=State.SUBMITTED).count() == 6


def test_demo_reports_carry_their_history(regions):
    seed_reports(today=TODAY, days=10)
    report = Report.objects.filter(state=State.APPROVED).exclude(kind="nihil").first()
    actions = list(selectors.report_history(report).values_list("action", flat=True))
    assert actions == [Action.CREATED, Action.SUBMITTED, Action.APPROVED]
    assert AuditEvent.objects.filter(action=Action.SUBMITTED).count() == Report.objects.count()


def test_demo_leaves_death_reports_pending_for_living_elders(regions):
    from backend.population import codes
    from backend.population.models import Resident

    household = make_household(regions.rt(regions.karang_rejo, 4))
    Resident.objects.filter(household=household).update(birth_date=date(1940, 1, 1))
    seed_reports(today=TODAY, days=5)
    deaths = Report.objects.filter(kind="death")
    assert deaths.count() == 2 and {r.state for r in deaths} == {State.SUBMITTED}
    assert not Resident.objects.exclude(status=codes.LifeStatus.ALIVE).exists()


def test_seed_command(regions, capsys):
    call_command("seed_demo_reports", "--days", "3")
    assert "reports" in capsys.readouterr().out
    call_command("seed_demo_reports", "--days", "3")
    assert "already present" in capsys.readouterr().out


def _stay_niks() -> list[str]:
    from backend.reports.models import StayStartDetail

    pending = StayStartDetail.objects.exclude(report__state__in=[State.APPROVED, State.REJECTED])
    return [
        *NonPermanentStay.objects.filter(end_date__isnull=True).values_list("nik", flat=True),
        *pending.values_list("nik", flat=True),
    ]


def test_demo_reports_seed_any_kelurahan_after_another(regions, capsys):
    call_command("seed_demo_reports", "--days", "5")
    call_command("seed_demo_reports", "--days", "5", "--kelurahan", "64.71.04.1004")
    assert "reports" in capsys.readouterr().out
    kelurahan = set(Report.objects.values_list("rt__kelurahan__code", flat=True))
    assert kelurahan == {"64.71.04.1003", "64.71.04.1004"}
    niks = _stay_niks()
    assert len(niks) == len(set(niks)) == 2 * (48 - 6)


def test_demo_stay_niks_skip_arrivals_waiting_anywhere(regions):
    from backend.reports.models import StayStartDetail
    from tests.reports.conftest import make_report

    karang_jati = "64.71.04.1004"
    seed_reports(kelurahan_code=karang_jati, today=TODAY, days=5)
    taken = NonPermanentStay.objects.filter(end_date__isnull=True).values_list("nik", flat=True)[0]
    # An arrival for that NIK now waits in Karang Rejo: the next run must not reuse it.
    waiting = make_report(regions.rt(regions.karang_rejo, 1), TODAY, State.SUBMITTED, "stay_start")
    template = StayStartDetail.objects.filter(nik=taken).values().first()
    StayStartDetail.objects.create(**{**template, "report_id": waiting.pk})
    seed_reports(kelurahan_code=karang_jati, today=TODAY, days=5, reset=True)
    niks = _stay_niks()
    assert niks.count(taken) == 1 and len(niks) == len(set(niks))
