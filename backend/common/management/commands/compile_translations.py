from django.core.management.base import BaseCommand

from backend.common.translations import compile_all


class Command(BaseCommand):
    help = "Compile the gettext catalogues (.po to .mo) in pure Python."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, force: bool = False, **options):
        written = compile_all(force=force)
        self.stdout.write(f"compiled {len(written)} catalogue(s)")
