"""Background work of an import job (Django's tasks framework).

The embedded default queues them in the database (``django_tasks_db``; the
worker is ``manage.py db_worker``); tests run them immediately.
"""

from django.tasks import task

from backend.imports import runner


@task()
def check_import_job(job_id: str) -> None:
    """The dry run: read the file, check every row, prepare the preview."""
    runner.check_job(job_id)


@task()
def run_import_job(job_id: str) -> None:
    """The import, after the user confirmed the preview."""
    runner.run_job(job_id)
