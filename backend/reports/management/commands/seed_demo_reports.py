"""``manage.py seed_demo_reports``: 60 days of demo reports for Karang Rejo (see demo.py)."""

from django.core.management.base import BaseCommand

from backend.audit.context import Door, audit_context
from backend.reports.demo import KARANG_REJO, seed_reports
from backend.wilayah.loading import load_regions


class Command(BaseCommand):
    help = "Create demo Lapor RT reports (60 days, with reliable, irregular and silent RTs)."

    def add_arguments(self, parser):
        parser.add_argument("--kelurahan", default=KARANG_REJO, help="Kelurahan code.")
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--seed", type=int, default=20260501)
        parser.add_argument(
            "--reset", action="store_true", help="Replace earlier demo reports of this kelurahan."
        )

    def handle(self, *args, kelurahan, days, seed, reset, **options):
        load_regions(only_kelurahan={kelurahan})
        with audit_context(door=Door.COMMAND):
            result = seed_reports(kelurahan_code=kelurahan, days=days, seed=seed, reset=reset)
        if result.skipped:
            self.stdout.write(
                f"Demo reports already present ({result.reports}); use --reset to redo them."
            )
            return
        habits = ", ".join(f"{k}={v}" for k, v in sorted(result.rts.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.reports} reports ({result.pending} waiting), "
                f"{result.stays} stays; RT habits: {habits}"
            )
        )
