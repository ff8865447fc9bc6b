"""PostgreSQL only: the run's progress is visible to others while its transaction is open."""

import pytest
from django.db import connections

from backend.imports import runner, services
from backend.imports.kinds import population as population_kind
from backend.imports.models import ImportJob
from backend.population.models import Resident
from tests.imports.conftest import upload_file
from tests.imports.test_job import csv, family

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_progress_is_visible_to_other_connections_during_the_run(actors, karang_rejo, monkeypatch):
    staff = actors.staf_kelurahan
    monkeypatch.setattr(population_kind, "CHUNK_ROWS", 3)
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 0)
    job = upload_file(staff, karang_rejo, "warga.csv", csv(*family(1), *family(2), *family(3)))
    seen: list[tuple[int, int]] = []
    observer = connections.create_connection("default")
    original = runner.Progress.tick

    def tick(self, done, *, force=False):
        original(self, done, force=force)
        if self.side is not None:
            with observer.cursor() as cursor:
                cursor.execute("SELECT rows_done FROM imports_importjob WHERE id = %s", [job.pk])
                visible = cursor.fetchone()[0]
            with observer.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM population_resident")
                seen.append((visible, cursor.fetchone()[0]))

    monkeypatch.setattr(runner.Progress, "tick", tick)
    try:
        services.import_job_confirm(actor=staff, job=job)
    finally:
        observer.close()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Resident.objects.count() == 9
    # Others saw the rows counting up, and no resident until the commit.
    assert [done for done, _ in seen][:3] == [3, 6, 9]
    assert {residents for _, residents in seen} == {0}
