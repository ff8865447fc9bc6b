"""PostgreSQL only: two clerks importing the same report file at the same moment."""

from __future__ import annotations

import time

import pytest

from backend.imports import services
from backend.reports.bulk import ReportBulkImport
from backend.reports.models import Report
from tests.imports.conftest import rows, upload_file
from tests.imports.test_report_job import activity, csv
from tests.reports.test_concurrency import _race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_file_imported_twice_at_once_creates_each_report_once(
    actors, karang_rejo, monkeypatch
):
    """Without the RT locks both runs would see no report and both would create them."""
    content = csv(activity("05-01-2025", "Rapat Januari"), activity("05-02-2025", "Rapat Februari"))
    first = upload_file(actors.staf_kelurahan, karang_rejo, "a.csv", content, "reports")
    second = upload_file(actors.lurah, karang_rejo, "b.csv", content, "reports")
    for job in (first, second):
        job.refresh_from_db()
        assert rows(job)["new"] == 2
    original = ReportBulkImport._create

    def slow_create(self, created):
        original(self, created)
        time.sleep(0.5)  # hold the transaction open while the other run arrives

    monkeypatch.setattr(ReportBulkImport, "_create", slow_create)

    results = _race(
        lambda: services.import_job_confirm(actor=actors.staf_kelurahan, job=first),
        lambda: services.import_job_confirm(actor=actors.lurah, job=second),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Report.objects.count() == 2
    outcomes = []
    for job in (first, second):
        job.refresh_from_db()
        assert job.status == "done", job.failure
        outcomes.append((job.result_counts["rows"]["new"], job.result_counts["rows"]["unchanged"]))
    assert sorted(outcomes) == [(0, 2), (2, 0)]
