"""Helpers for the import tests: upload a file as a user, read the preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.imports import services
from backend.imports.models import ImportJob

SAMPLES = Path(__file__).parent / "samples"


def upload_file(actor, kelurahan, name: str, content: bytes, kind: str = "residents") -> ImportJob:
    upload = SimpleUploadedFile(name, content)
    return services.import_job_create(actor=actor, kind=kind, kelurahan=kelurahan, upload=upload)


def upload_sample(actor, kelurahan, name: str, kind: str = "residents") -> ImportJob:
    return upload_file(actor, kelurahan, name, (SAMPLES / name).read_bytes(), kind)


def problems(job: ImportJob, severity: str | None = None) -> list[tuple]:
    qs = job.problems.all()
    if severity:
        qs = qs.filter(severity=severity)
    return [(p.row_number, p.column, p.code) for p in qs.order_by("row_number", "id")]


def rows(job: ImportJob, counts: str = "preview_counts") -> dict:
    return getattr(job, counts)["rows"]


@pytest.fixture
def staff(actors):
    return actors.staf_kelurahan


@pytest.fixture
def karang_rejo(regions):
    return regions.karang_rejo
