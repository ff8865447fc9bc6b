"""Two real connections at once (PostgreSQL): one decision stands; one report per client key."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from backend.common.errors import DomainError
from backend.population import codes
from backend.population.models import Resident
from backend.reports import kinds, photos, services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.reports.conftest import ACTIVITY, death, key, save

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Run each call in its own thread (its own database connection), started together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _slow(monkeypatch, module, name, seconds=0.4):
    """Hold the first caller inside its transaction long enough for the other to arrive."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slow)


def test_two_staff_approving_at_once_one_decision_stands(actors, population, monkeypatch):
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    report = save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    _slow(monkeypatch, kinds, "apply_approval")

    results = _race(
        lambda: services.report_approve(actor=actors.staf_kelurahan, report=report.pk),
        lambda: services.report_approve(actor=actors.lurah, report=report.pk),
    )

    winners = [r for r in results if isinstance(r, Report)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "already_decided"
    assert "sudah diputuskan" in str(losers[0].message)
    stored = Report.objects.get(pk=report.pk)
    assert stored.state == State.APPROVED and stored.decided_by_id == winners[0].decided_by_id
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.DECEASED


def test_approve_and_reject_at_once_leave_exactly_one_decision(actors, kr, monkeypatch):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    _slow(monkeypatch, kinds, "apply_approval")
    results = _race(
        lambda: services.report_approve(actor=actors.staf_kelurahan, report=report.pk),
        lambda: services.report_reject(actor=actors.lurah, report=report.pk, reason="Ganda"),
    )
    decided = [r for r in results if isinstance(r, Report)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(decided) == 1 and [e.code for e in refused] == ["already_decided"]
    assert Report.objects.get(pk=report.pk).state == decided[0].state


def test_the_same_submission_twice_at_once_creates_one_report(actors, kr, monkeypatch):
    client_key = key()
    _slow(monkeypatch, photos, "store_photos")
    results = _race(
        lambda: save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key),
        lambda: save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, client_key=client_key),
    )
    assert all(not isinstance(r, Exception) for r in results), results
    assert {r.report.pk for r in results} == {Report.objects.get().pk}
    assert sorted(r.created for r in results) == [False, True]


def test_two_death_reports_for_one_resident_at_once_leave_one_waiting(
    actors, population, monkeypatch
):
    """A double tap with two client keys, or two Ketua RT phones: one report, one refusal."""
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    _slow(monkeypatch, photos, "store_photos")
    results = _race(
        lambda: save(actors.ketua_rt_1, Kind.DEATH, death(head)),
        lambda: save(actors.ketua_rt_1, Kind.DEATH, death(head)),
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert [e.code for e in refused] == ["death_report_pending"], results
    assert Report.objects.filter(kind=Kind.DEATH).count() == 1


def test_two_arrivals_of_one_person_at_once_leave_one_waiting(actors, kr, monkeypatch):
    from tests.reports.conftest import stay_start

    _slow(monkeypatch, photos, "store_photos")
    results = _race(
        lambda: save(actors.ketua_rt_1, Kind.STAY_START, stay_start()),
        lambda: save(actors.ketua_rt_2, Kind.STAY_START, stay_start()),
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert [e.code for e in refused] == ["stay_already_open"], results
    assert Report.objects.filter(kind=Kind.STAY_START).count() == 1
