"""``manage.py seed_demo``: the demo population of Balikpapan Tengah and the demo accounts."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.audit.context import Door, audit_context
from backend.population import demo
from backend.population.demo.accounts import region_label
from backend.reports.demo import seed_reports
from backend.wilayah.loading import load_regions


class Command(BaseCommand):
    help = (
        "Seed the synthetic demo population (about 15,000 residents in Karang Rejo and a few "
        "hundred in each other kelurahan of Balikpapan Tengah), one demo account per role, "
        "and 60 days of RT reports for Karang Rejo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo population of Balikpapan Tengah and the demo accounts first.",
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="Random seed.")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the number of households (e.g. 0.1 for a quick small demo).",
        )
        parser.add_argument(
            "--report-days",
            type=int,
            default=60,
            help="Days of demo RT reports for Karang Rejo after the population (0: none).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing unless the database has no households, residents or users "
            "(what bin/run uses).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow --reset when DEBUG is off (it deletes every household and resident "
            "of Balikpapan Tengah).",
        )

    def handle(self, *args, reset, seed, scale, report_days, if_empty, force, **options):
        with audit_context(door=Door.COMMAND):
            load_regions()  # idempotent; the demo needs the region tree
            if if_empty and not demo.database_is_empty():
                self.stdout.write("The database already holds data; demo not seeded.")
                return
            if reset:
                if not settings.DEBUG and not force:
                    raise CommandError(
                        "Refusing --reset with DEBUG off: it deletes every household and "
                        "resident of Balikpapan Tengah. Add --force if this is a demo database."
                    )
                removed = demo.reset_demo()
                self.stdout.write(
                    f"Removed {removed.reports} reports, {removed.stays} stays, "
                    f"{removed.households} households, {removed.residents} residents "
                    f"and {removed.accounts} demo accounts "
                    f"({removed.audit_events} 'deleted' audit events written)."
                )
            try:
                result = demo.seed_demo(seed=seed, scale=scale)
            except demo.DemoError as exc:
                raise CommandError(str(exc)) from exc
            reports = None
            if report_days > 0:
                started = time.perf_counter()
                reports = seed_reports(days=report_days)
                reports_seconds = time.perf_counter() - started
        self._report(result)
        if reports is not None:
            self.stdout.write(
                f"Seeded {reports.reports} RT reports over {report_days} days in Karang Rejo "
                f"({reports.pending} waiting for a decision, {reports.stays} open stays) "
                f"in {reports_seconds:.1f} s."
            )

    def _report(self, result: demo.SeedResult) -> None:
        out = self.stdout
        out.write(
            f"Seeded {result.households} households and {result.residents} residents "
            f"(+ {result.audit_events} audit events) in {result.seconds_total:.1f} s "
            f"({result.rows / max(result.seconds_total, 1e-9):,.0f} rows/s)."
        )
        for code, (households, residents) in result.by_kelurahan.items():
            out.write(f"  {code}: {households} households, {residents} residents")
        if not result.accounts:
            return
        out.write("")
        out.write(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
        for account in demo.DEMO_ACCOUNTS:
            out.write(f"  {account.username:<18} {account.role_label:<20} {region_label(account)}")
