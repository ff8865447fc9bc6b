"""Seeding and resetting the demo: deterministic, refused twice, reset without orphans."""

import pytest
from django.core.management import CommandError, call_command

from backend.accounts.models import RoleAssignment, User
from backend.audit.models import Action, AuditEvent
from backend.population import demo
from backend.population.models import Household, Resident
from tests.demo.conftest import SEED, SMALL


def _people():
    return list(
        Resident.objects.order_by("pk").values_list("nik", "name", "birth_date", "rt__code")
    )


def test_the_same_seed_gives_the_same_people_and_numbers(tengah):
    demo.seed_demo(scale=SMALL, seed=7)
    first = _people()
    first_kks = list(Household.objects.order_by("pk").values_list("no_kk", flat=True))
    demo.reset_demo()

    demo.seed_demo(scale=SMALL, seed=7)

    assert _people() == first
    assert list(Household.objects.order_by("pk").values_list("no_kk", flat=True)) == first_kks


def test_another_seed_gives_other_people(tengah):
    demo.seed_demo(scale=SMALL, seed=7)
    first = {nik for nik, *_ in _people()}
    demo.reset_demo()

    demo.seed_demo(scale=SMALL, seed=8)

    assert len(first & {nik for nik, *_ in _people()}) < len(first) // 10


def test_reset_leaves_no_orphan_rows_and_the_history_ends_in_deletion(seeded):
    removed = demo.reset_demo()

    assert (removed.households, removed.residents) == (seeded.households, seeded.residents)
    assert removed.accounts == len(demo.DEMO_ACCOUNTS)
    assert not Household.objects.exists()
    assert not Resident.objects.exists()
    assert not User.objects.exists()
    assert not RoleAssignment.objects.exists()
    population_events = AuditEvent.objects.filter(entity_type__startswith="population.")
    created = set(
        population_events.filter(action=Action.CREATED).values_list("entity_type", "entity_id")
    )
    deleted = set(
        population_events.filter(action=Action.DELETED).values_list("entity_type", "entity_id")
    )
    assert created == deleted

    again = demo.seed_demo(scale=SMALL, seed=SEED)

    assert (again.households, again.residents) == (seeded.households, seeded.residents)


def test_the_command_seeds_prints_the_password_and_refuses_a_second_seed(db, capsys):
    call_command("seed_demo", scale=0.02)
    out = capsys.readouterr().out

    assert "demo-lapor-rt" in out
    assert "ketua.rt001" in out
    with pytest.raises(CommandError, match="already present"):
        call_command("seed_demo", scale=0.02)


def test_if_empty_leaves_a_used_database_alone(db, capsys):
    User.objects.create_user("someone")

    call_command("seed_demo", scale=0.02, if_empty=True)

    assert not Resident.objects.exists()
    assert "not seeded" in capsys.readouterr().out


def test_reset_is_refused_on_a_production_configuration_without_force(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", scale=0.02)

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", scale=0.02, reset=True)
    call_command("seed_demo", scale=0.02, reset=True, force=True)

    assert Resident.objects.exists()


def test_the_command_seeds_reports_after_the_population_and_reset_removes_them_first(db, capsys):
    from backend.reports.models import NonPermanentStay, Report

    call_command("seed_demo", scale=0.02, report_days=5)
    out = capsys.readouterr().out
    assert "RT reports over 5 days" in out
    assert Report.objects.filter(kind="death").exists()  # for residents the demo made
    stays = set(NonPermanentStay.objects.values_list("pk", flat=True))
    reports = set(Report.objects.values_list("pk", flat=True))
    assert stays and reports

    call_command("seed_demo", scale=0.02, report_days=5, reset=True, force=True)

    out = capsys.readouterr().out
    assert f"Removed {len(reports)} reports, {len(stays)} stays" in out
    # Each removed report and stay ends its history with a deletion.
    deleted = AuditEvent.objects.filter(action=Action.DELETED, note="seed_demo --reset")
    assert {
        int(i)
        for i in deleted.filter(entity_type="reports.report").values_list("entity_id", flat=True)
    } == reports
    assert deleted.filter(entity_type="reports.nonpermanentstay").count() == len(stays)
    assert Report.objects.exists() and not Report.objects.filter(pk__in=reports).exists()
    demo.reset_demo()
    assert not Report.objects.exists() and not NonPermanentStay.objects.exists()
    assert not User.objects.exists()  # the reports demo's Ketua RT accounts too


def test_reset_works_after_a_demo_account_tried_an_import(seeded):
    """Trying an import is part of any demo; its job must not block the reset."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backend.imports import services as import_services
    from backend.imports.models import ImportJob
    from backend.wilayah.models import Kelurahan

    staff = User.objects.get(username="staf.karangrejo")
    upload = SimpleUploadedFile("warga.csv", b"NIK;Nama Lengkap\r\n6471040101800001;Uji\r\n")
    import_services.import_job_create(
        actor=staff,
        kind="residents",
        kelurahan=Kelurahan.objects.get(code="64.71.04.1003"),
        upload=upload,
    )
    assert ImportJob.objects.exists()

    removed = demo.reset_demo()

    assert removed.import_jobs == 1
    assert not ImportJob.objects.exists() and not User.objects.exists()
