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
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import get_language

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


_CONVERTED_FIELDS = (
    models.DateField,  # and DateTimeField
    models.TimeField,
    models.DecimalField,
    models.FloatField,
    models.UUIDField,
    models.FileField,
    models.JSONField,
    models.DurationField,
    models.BinaryField,
)


@functools.cache
def _snapshot_plan(model: type[models.Model]):
    """How to snapshot ``model``: its fields sorted by name, and which values need converting.

    Sorted, so the snapshot is a ``JsonDict`` in canonical key order; a model
    with a JSONField (nested values) gets a plain dict instead.
    """
    fields = sorted(model._meta.concrete_fields, key=lambda f: f.name)
    names = tuple(f.name for f in fields)
    attnames = tuple(f.attname for f in fields)
    getter = operator.itemgetter(*attnames) if len(attnames) > 1 else None
    converted = tuple(f.name for f in fields if isinstance(f, _CONVERTED_FIELDS))
    flat = not any(isinstance(f, models.JSONField) for f in fields)
    return names, attnames, getter, converted, flat


def snapshot(instance: models.Model, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """Concrete field values of ``instance`` (foreign keys as ids), keys sorted."""
    names, attnames, getter, converted, flat = _snapshot_plan(type(instance))
    data: dict[str, Any] | None = None
    if fields is None and getter is not None:
        try:
            # One C-level read of the loaded values; only date-like fields are converted.
            data = (JsonDict if flat else dict)(zip(names, getter(instance.__dict__), strict=True))
        except KeyError:  # a deferred field: read through the model below
            data = None
        else:
            for name in converted:
                value = data[name]
                if value is not None and type(value) not in _PLAIN:
                    data[name] = to_json(value)
    if data is None:
        data = {}
        for name, attname in zip(names, attnames, strict=True):
            if fields is not None and name not in fields:
                continue
            value = getattr(instance, attname)
            data[name] = value if type(value) in _PLAIN else to_json(value)
    if flat:
        return data if type(data) is JsonDict else JsonDict(data)
    return chain.normalise_json(data)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list]:
    """``{field: [before, after]}`` for the fields that differ."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    changed = {
        k: [before.get(k), after.get(k)]
        for k in keys
        if before.get(k) != after.get(k) and k not in _TIMESTAMPS
    }
    if all(type(side) is JsonDict or not side for side in (before, after)):
        return JsonDict(sorted(changed.items()))
    return changed


def entity_type_of(instance_or_model) -> str:
    meta = instance_or_model._meta
    return meta.label_lower


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
    return _new_event(values)


@functools.cache
def _attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in AuditEvent._meta.concrete_fields)


def _new_event(values: dict[str, Any]) -> AuditEvent:
    """An unsaved AuditEvent from its attribute values, without Model.__init__'s per-field work.

    Bulk paths build thousands of events: this costs a sixth of keyword
    construction. AuditEvent has no init signals or custom ``__init__``;
    every concrete attribute is set (missing ones to None).
    """
    event = AuditEvent.__new__(AuditEvent)
    event._state = ModelState()
    event.__dict__.update(dict.fromkeys(_attnames()))
    event.__dict__.update(values)
    return event


def build_events(
    instances: Iterable[models.Model],
    *,
    actor,
    action: str,
    rt: Callable[[models.Model], Any] | None = None,
    note: str = "",
) -> list[AuditEvent]:
    """Unsaved events for many records at once, each with its snapshot (for ``record_many``).

    What ``build_event(instance=..., snapshot=snapshot(instance))`` gives for
    each instance, with the work common to the batch (context, actor,
    timestamp, labels) done once: bulk imports and bulk actions use it.
    ``rt`` finds an instance's RT (object or id); by default its ``rt``.
    """
    ctx = context.current()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    common = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if is_user else None,
        "actor_username": _clip(actor.get_username() if is_user else "", 150),
        "door": ctx.door,
        "action": action,
        "request_id": _clip(ctx.request_id, 64),
        "job_id": _clip(ctx.job_id, 64),
        "client_ip": chain.normalise_ip(ctx.client_ip),
        "note": _clip(note, 255),
        "prev_hash": "",
        "row_hash": "",
    }
    language = get_language()
    # Per batch: one entity type and label per model, one region per RT.
    models_seen: dict[type, tuple[str, str]] = {}
    regions: dict[Any, tuple[Any, Any, Any]] = {}
    template = {**dict.fromkeys(_attnames()), **common}
    events = []
    for instance in instances:
        model = type(instance)
        if model not in models_seen:
            models_seen[model] = (entity_type_of(model), _verbose_name(model, language))
        entity_type, verbose_name = models_seen[model]
        rt_value = rt(instance) if rt is not None else getattr(instance, "rt", None)
        rt_key = getattr(rt_value, "pk", rt_value)
        if rt_key not in regions:
            regions[rt_key] = _region_ids(rt_value, None, None)
        pk = instance.pk
        event = AuditEvent.__new__(AuditEvent)
        event._state = ModelState()
        event.__dict__.update(template)
        event.__dict__.update(
            entity_type=entity_type,
            entity_id=str(pk),
            entity_label=f"{verbose_name} #{pk}"[:120],
            changes={},
            snapshot=snapshot(instance),
            rt_id=regions[rt_key][0],
            kelurahan_id=regions[rt_key][1],
            kecamatan_id=regions[rt_key][2],
        )
        events.append(event)
    return events


def label_of(instance: models.Model, pk: Any = None) -> str:
    """A label with no personal data: the model's verbose name and its id."""
    return f"{_verbose_name(type(instance), get_language())} #{instance.pk if pk is None else pk}"


@functools.lru_cache(maxsize=256)
def _verbose_name(model: type[models.Model], language: str | None) -> str:
    return str(model._meta.verbose_name)


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
    """Write many prepared events (``build_event``/``build_events``), chained in order.

    On PostgreSQL the rows stream through one ``COPY``, each sent as soon as
    it is sealed, so the server stores them while the next hashes are
    computed; elsewhere one prepared INSERT runs with ``executemany`` per
    batch. Both skip ``bulk_create``'s per-field compiler work, which cost as
    much as the audited insert itself. The events come back without ``pk``.
    """
    events = list(events)
    if not events:
        return events
    with transaction.atomic(savepoint=False):
        _fill_regions(events)
        connection = transaction.get_connection(AuditEvent.objects.db)
        fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        table = quote(AuditEvent._meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        rows = _Rows(fields, connection)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                head = chain.lock_and_read_head()  # before the COPY takes the connection
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for event in chain.sealed(events, head):
                        copy.write_row(rows.of(event))
            else:
                chain.seal(events)
                placeholders = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
                for start in range(0, len(events), batch_size):
                    batch = events[start : start + batch_size]
                    cursor.executemany(sql, [rows.of(event) for event in batch])
    for event in events:
        event._state.adding = False
        event._state.db = connection.alias
    return events


class _Rows:
    """Query parameters of sealed events, read in one C-level call per event."""

    def __init__(self, fields, connection) -> None:
        self.get = operator.attrgetter(*(f.attname for f in fields))
        names = [f.name for f in fields]
        self.json_at = [names.index(name) for name in chain.JSON_FIELDS]
        self.adapted = []
        if connection.vendor != "postgresql":  # psycopg adapts these itself
            self.adapted = [
                (i, f, {})
                for i, f in enumerate(fields)
                if isinstance(f, models.DateTimeField | models.GenericIPAddressField)
            ]
        self.connection = connection

    def of(self, event: AuditEvent) -> list:
        row = list(self.get(event))
        for position, name in zip(self.json_at, chain.JSON_FIELDS, strict=True):
            # The canonical JSON text the hash was computed on; SQL NULL for None.
            if row[position] is not None:
                row[position] = event.json_texts[name]
        for position, field, cache in self.adapted:
            value = row[position]
            if value not in cache:
                cache[value] = field.get_db_prep_save(value, self.connection)
            row[position] = cache[value]
        return row


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
        **region_or_actors(actor, rt=rt, kelurahan=kelurahan, kecamatan=kecamatan),
    )


def region_or_actors(actor, *, rt=None, kelurahan=None, kecamatan=None) -> dict:
    """``rt``, ``kelurahan`` and ``kecamatan`` for an event: the region given, else (none
    given) the region of the actor's role, so events about the actor themselves or their
    "whole region" (logins, tokens, exports) reach their Lurah or Camat."""
    if rt is None and kelurahan is None and kecamatan is None:
        rt, kelurahan, kecamatan = actor_region(actor)
    return {"rt": rt, "kelurahan": kelurahan, "kecamatan": kecamatan}


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
