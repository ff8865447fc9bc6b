"""Scoped reads of import jobs and their problems.

A user reaches import jobs only while holding ``Cap.POPULATION_IMPORT``
somewhere; they see their own jobs and the jobs of the kelurahan where they
hold that capability over the whole kelurahan (a Lurah sees the jobs of the
kelurahan's staff, never another kelurahan's).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from backend.accounts.roles import Cap
from backend.common.errors import DomainError
from backend.imports.models import ImportJob, ImportProblem
from backend.wilayah.selectors import kelurahan_list


def import_kelurahan_ids(*, actor, cap: str = Cap.POPULATION_IMPORT) -> list[int]:
    """Kelurahan where ``actor`` holds ``cap`` over the whole kelurahan."""
    scope = actor.scope
    if not scope.has(cap):
        return []
    candidates = kelurahan_list(actor=actor).select_related("kecamatan")
    return [k.pk for k in candidates if scope.can_in_kelurahan(cap, k)]


def import_job_list(*, actor) -> QuerySet[ImportJob]:
    if not actor.is_authenticated or not actor.scope.has(Cap.POPULATION_IMPORT):
        return ImportJob.objects.none()
    if actor.scope.is_superuser:
        return ImportJob.objects.all()
    return ImportJob.objects.filter(
        Q(created_by=actor) | Q(kelurahan_id__in=import_kelurahan_ids(actor=actor))
    )


def import_job_get(*, actor, pk) -> ImportJob:
    """The job, or "not found" also when the actor may not see it (it reveals nothing)."""
    try:
        return (
            import_job_list(actor=actor)
            .select_related("created_by", "kelurahan__kecamatan", "confirmed_by")
            .get(pk=pk)
        )
    except (ImportJob.DoesNotExist, ValidationError, ValueError, TypeError):
        raise DomainError.not_found(field="job") from None


def import_problem_list(*, job: ImportJob, severity: str | None = None) -> QuerySet[ImportProblem]:
    qs = job.problems.all()
    if severity:
        qs = qs.filter(severity=severity)
    return qs.order_by("row_number", "id")
