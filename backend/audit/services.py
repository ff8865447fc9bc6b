"""Writing audit events. Services call these inside their own transaction.

``record`` writes one event; ``record_many`` writes a batch in one INSERT
for bulk paths (imports, bulk actions, queryset updates), so auditing never
costs a query per row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models

from backend.audit import context
from backend.audit.models import AuditEvent


def to_json(value: Any) -> Any:
    """A JSON-safe copy of a field value."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or None
    return value


def snapshot(instance: models.Model, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """Concrete field values of ``instance`` (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        data[f.name] = to_json(getattr(instance, f.attname))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list]:
    """``{field: [before, after]}`` for the fields that differ."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return {
        k: [before.get(k), after.get(k)]
        for k in keys
        if before.get(k) != after.get(k) and k not in ("updated_at", "created_at")
    }


def entity_type_of(instance_or_model) -> str:
    meta = instance_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def build_event(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    entity_type: str = "",
    entity_id: Any = "",
    entity_label: str = "",
    changes: dict | None = None,
    snapshot: dict | None = None,
    rt=None,
    kelurahan=None,
    kecamatan=None,
    note: str = "",
) -> AuditEvent:
    """An unsaved event, filled from the current audit context."""
    ctx = context.current()
    if instance is not None:
        entity_type = entity_type or entity_type_of(instance)
        entity_id = entity_id or instance.pk
        entity_label = entity_label or _label(instance)
    rt_id = getattr(rt, "pk", rt)
    kelurahan_id = getattr(kelurahan, "pk", kelurahan)
    kecamatan_id = getattr(kecamatan, "pk", kecamatan)
    if rt is not None and hasattr(rt, "kelurahan_id"):
        kelurahan_id = kelurahan_id or rt.kelurahan_id
    if kelurahan_id and not kecamatan_id:
        kel = getattr(rt, "kelurahan", None) if rt is not None else kelurahan
        kecamatan_id = getattr(kel, "kecamatan_id", None)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEvent(
        actor_id=actor.pk if is_user else None,
        actor_username=(actor.get_username() if is_user else ""),
        door=ctx.door,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id or ""),
        entity_label=entity_label[:120],
        changes=changes or {},
        snapshot=snapshot,
        rt_id=rt_id,
        kelurahan_id=kelurahan_id,
        kecamatan_id=kecamatan_id,
        request_id=ctx.request_id,
        job_id=ctx.job_id,
        client_ip=ctx.client_ip,
        note=note[:255],
    )


def _label(instance: models.Model) -> str:
    """A label with no personal data: the model's verbose name and its id."""
    return f"{instance._meta.verbose_name} #{instance.pk}"


def record(**kwargs) -> AuditEvent:
    """Write one audit event now (inside the caller's transaction)."""
    event = build_event(**kwargs)
    event.save()
    return event


def record_many(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Write many prepared events in batched INSERTs."""
    return AuditEvent.objects.bulk_create(list(events), batch_size=1000)
