from django.core.management.base import BaseCommand

from backend.audit.context import Door, audit_context
from backend.wilayah.loading import load_regions


class Command(BaseCommand):
    help = "Load Kota Balikpapan's region tree and RT lists from fixtures/wilayah (idempotent)."

    def handle(self, *args, **options):
        with audit_context(door=Door.COMMAND):
            result = load_regions()
        self.stdout.write(
            f"regions created: {result.regions_created}, RTs created: {result.rts_created}"
        )
