"""Writing audit events. Services call these inside their own transaction.

``record`` writes one event; ``build_event`` + ``record_many`` write a batch
in a few INSERTs for bulk paths (imports, bulk actions, queryset updates),
so auditing never costs a query per row. Both extend the hash chain under
the chain lock (``backend.audit.chain``), so write audit events as the last
step of a service, after its row locks: the chain lock is then held only
from the audit write to the commit.

Sensitive reads and refused attempts have their own helpers:
``record_nik_revealed``, ``record_export`` (here) and ``record_refusal``
(``backend.audit.refusals``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import operator
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from backend.audit import chain, context
from backend.audit.chain import JsonDict
from backend.audit.models import Action, AuditEvent

_TIMESTAMPS = ("updated_at", "created_at")


_PLAIN = frozenset({str, int, bool, type(None)})


def to_json(value: Any) -> Any:
    """A JSON-safe copy of a field value (see ``chain.normalise_json`` for floats)."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return chain.normalise_json(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or None
    return value


@functools.cache
def _snapshot_fields(model: type[models.Model]) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, f.attname) for f in model._meta.concrete_fields)


def snapshot(instance: models.Model, fields: Sequence[str] | None = None) -> JsonDict:
    """Concrete field values of ``instance`` (foreign keys as ids)."""
    data = JsonDict()
    plain = _PLAIN
    for name, attname in _snapshot_fields(type(instance)):
        if fields is not None and name not in fields:
            continue
        value = getattr(instance, attname)
        data[name] = value if type(value) in plain else to_json(value)
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list]:
    """``{field: [before, after]}`` for the fields that differ."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    changed = {
        k: [before.get(k), after.get(k)]
        for k in keys
        if before.get(k) != after.get(k) and k not in _TIMESTAMPS
    }
    normalised = all(type(side) is JsonDict or not side for side in (before, after))
    return JsonDict(changed) if normalised else changed


def entity_type_of(instance_or_model) -> str:
    meta = instance_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def _region_ids(rt, kelurahan, kecamatan) -> tuple[Any, Any, Any]:
    """Region ids known without a query; ``_fill_regions`` completes the rest in bulk."""
    rt_id = getattr(rt, "pk", rt)
    kelurahan_id = getattr(kelurahan, "pk", kelurahan)
    kecamatan_id = getattr(kecamatan, "pk", kecamatan)
    if isinstance(rt, models.Model):
        kelurahan_id = kelurahan_id or rt.kelurahan_id
        if kelurahan is None and type(rt).kelurahan.is_cached(rt):
            kelurahan = rt.kelurahan
    if isinstance(kelurahan, models.Model) and not kecamatan_id:
        kecamatan_id = kelurahan.kecamatan_id
    return rt_id, kelurahan_id, kecamatan_id


def _clip(value: Any, length: int) -> str:
    if type(value) is str:
        return value[:length]
    return str(value or "")[:length]


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
    actor_username: str = "",
) -> AuditEvent:
    """An unsaved event, filled from the current audit context.

    ``rt``, ``kelurahan`` and ``kecamatan`` may be objects or ids; the
    missing upper levels are filled when the event is written.
    ``actor_username`` names an actor that is not a user (a login attempt
    for an unknown username).
    """
    ctx = context.current()
    if instance is not None:
        entity_type = entity_type or entity_type_of(instance)
        entity_id = entity_id or instance.pk
        entity_label = entity_label or label_of(instance)
    rt_id, kelurahan_id, kecamatan_id = _region_ids(rt, kelurahan, kecamatan)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    values = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if is_user else None,
        "actor_username": _clip(actor.get_username() if is_user else actor_username, 150),
        "door": ctx.door,
        "action": action,
        "entity_type": _clip(entity_type, 60),
        "entity_id": _clip(entity_id, 40),
        "entity_label": _clip(entity_label, 120),
        "changes": chain.normalise_json(changes or {}),
        "snapshot": chain.normalise_json(snapshot) if snapshot is not None else None,
        "rt_id": rt_id,
        "kelurahan_id": kelurahan_id,
        "kecamatan_id": kecamatan_id,
        "request_id": _clip(ctx.request_id, 64),
        "job_id": _clip(ctx.job_id, 64),
        "client_ip": chain.normalise_ip(ctx.client_ip),
        "note": _clip(note, 255),
        "prev_hash": "",
        "row_hash": "",
    }
    # Positional construction costs half of keyword construction (bulk paths build
    # thousands of events); the order is the model's concrete fields.
    return AuditEvent(*[values.get(name) for name in _attnames()])


@functools.cache
def _attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in AuditEvent._meta.concrete_fields)


def label_of(instance: models.Model, pk: Any = None) -> str:
    """A label with no personal data: the model's verbose name and its id."""
    return f"{instance._meta.verbose_name} #{instance.pk if pk is None else pk}"


def _fill_regions(events: Sequence[AuditEvent]) -> None:
    """Complete kelurahan and kecamatan from the RT (or kelurahan) in one query per level."""
    from backend.wilayah.models import RT, Kelurahan

    rt_ids = {e.rt_id for e in events if e.rt_id and not (e.kelurahan_id and e.kecamatan_id)}
    if rt_ids:
        by_rt = {
            pk: (kel, kec)
            for pk, kel, kec in RT.objects.filter(pk__in=rt_ids).values_list(
                "pk", "kelurahan_id", "kelurahan__kecamatan_id"
            )
        }
        for e in events:
            if e.rt_id in by_rt and not (e.kelurahan_id and e.kecamatan_id):
                e.kelurahan_id, e.kecamatan_id = by_rt[e.rt_id]
    kel_ids = {e.kelurahan_id for e in events if e.kelurahan_id and not e.kecamatan_id}
    if kel_ids:
        by_kel = dict(Kelurahan.objects.filter(pk__in=kel_ids).values_list("pk", "kecamatan_id"))
        for e in events:
            if e.kelurahan_id and not e.kecamatan_id:
                e.kecamatan_id = by_kel.get(e.kelurahan_id)


def record(**kwargs) -> AuditEvent:
    """Write one audit event now, inside the caller's transaction (or its own)."""
    event = build_event(**kwargs)
    with transaction.atomic(savepoint=False):
        _fill_regions([event])
        chain.seal([event])
        event.save(force_insert=True)
    return event


def record_many(events: Iterable[AuditEvent], *, batch_size: int = 1000) -> list[AuditEvent]:
    """Write many prepared events (``build_event``) in batched INSERTs, chained in order.

    The rows go to the database through one prepared INSERT run with
    ``executemany`` per batch, with each value adapted once by the backend,
    instead of ``bulk_create``'s per-field compiler work (which cost as much
    as the audited insert itself). The events come back without ``pk``.
    """
    events = list(events)
    if not events:
        return events
    with transaction.atomic(savepoint=False):
        _fill_regions(events)
        chain.seal(events)
        _insert(events, batch_size)
    return events


def _insert(events: Sequence[AuditEvent], batch_size: int) -> None:
    connection = transaction.get_connection(AuditEvent.objects.db)
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        quote(AuditEvent._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(f"%s{json_cast}" if f.name in chain.JSON_FIELDS else "%s" for f in fields),
    )
    getters = [_param_getter(f, connection) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(events), batch_size):
            batch = events[start : start + batch_size]
            cursor.executemany(sql, [tuple(get(e) for get in getters) for e in batch])
    for event in events:
        event._state.adding = False
        event._state.db = connection.alias


def _param_getter(field, connection):
    """How one field of an event becomes a query parameter."""
    name = field.attname
    if field.name in chain.JSON_FIELDS:
        # The canonical JSON text ``chain.seal`` made for the hash; SQL NULL for None.
        def json_param(event):
            value = getattr(event, name)
            return None if value is None else event.json_texts[name]

        return json_param
    if isinstance(field, models.DateTimeField | models.GenericIPAddressField):
        return lambda event: field.get_db_prep_save(getattr(event, name), connection)
    return operator.attrgetter(name)


# -- sensitive reads ---------------------------------------------------------


def record_nik_revealed(
    *, actor, instance: models.Model, rt=None, field: str = "nik"
) -> AuditEvent:
    """Record that ``actor`` saw the unmasked number in ``field`` of ``instance``.

    Call it from the door that shows the number (an admin "show NIK" button,
    a GraphQL field resolved unmasked), once per reveal.
    """
    return record(
        actor=actor,
        action=Action.NIK_REVEALED,
        instance=instance,
        changes={"field": field},
        rt=rt if rt is not None else getattr(instance, "rt", None),
    )


def record_export(
    *,
    actor,
    entity_type: str,
    rows: int,
    file_format: str,
    filters: dict | None = None,
    unmasked: bool = False,
    rt=None,
    kelurahan=None,
    kecamatan=None,
) -> AuditEvent:
    """Record an export of ``rows`` rows of ``entity_type`` (call it once per file).

    Give the narrowest region the export covers (the RT or kelurahan the
    user filtered on, else the region of the actor's role); an export that
    spans several regions is recorded at their common upper level.
    """
    if rt is None and kelurahan is None and kecamatan is None:
        rt, kelurahan, kecamatan = actor_region(actor)
    return record(
        actor=actor,
        action=Action.EXPORTED,
        entity_type=entity_type,
        changes={
            "format": file_format,
            "rows": rows,
            "filters": filters or {},
            "unmasked": unmasked,
        },
        rt=rt,
        kelurahan=kelurahan,
        kecamatan=kecamatan,
    )


def actor_region(user) -> tuple[Any, Any, Any]:
    """(rt, kelurahan, kecamatan) ids of a user's single role region, or Nones.

    Used for events about the user themselves (logins, tokens, exports), so
    the Lurah sees the logins of their kelurahan's staff and Ketua RT.
    """
    if user is None or getattr(user, "pk", None) is None:
        return None, None, None
    from backend.accounts.models import RoleAssignment

    rows = list(
        RoleAssignment.objects.filter(user_id=user.pk, is_active=True).values_list(
            "rt_id", "rt__kelurahan_id", "kelurahan_id", "kecamatan_id"
        )[:2]
    )
    if len(rows) != 1:
        return None, None, None
    rt_id, rt_kelurahan_id, kelurahan_id, kecamatan_id = rows[0]
    return rt_id, kelurahan_id or rt_kelurahan_id, kecamatan_id
