"""Delete what old import jobs keep of personal data: uploaded file, row cache, problems.

The job row stays (who imported what, when, with which counts); the audit
trail keeps every change. Run it from cron, e.g. daily:

    manage.py prune_imports --days 30
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from backend.imports import runner
from backend.imports.models import ImportJob


class Command(BaseCommand):
    help = "Delete uploaded files, row caches and problems of import jobs older than --days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        cutoff = timezone.now() - timedelta(days=days)
        finished = Q(finished_at__lt=cutoff) | Q(
            status=ImportJob.Status.PREVIEW, checked_at__lt=cutoff
        )
        pruned = 0
        for job in ImportJob.objects.filter(finished).exclude(file=""):
            runner.discard_cache(job)
            job.problems.all().delete()
            job.file.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).update(file="")
            if job.status == ImportJob.Status.PREVIEW:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportJob.Status.CANCELLED, finished_at=timezone.now()
                )
            pruned += 1
        self.stdout.write(f"import jobs pruned: {pruned}")
