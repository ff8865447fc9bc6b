"""The hash chain that makes tampering with the audit trail evident.

Each event stores ``seq`` (1, 2, 3... without gaps), ``prev_hash`` (the
``row_hash`` of event ``seq - 1``, or 64 zeros for the first) and
``row_hash = HMAC-SHA256(key, canonical(event))``. Changing, deleting or
reordering any stored event breaks the chain at that event, and
``manage.py audit_verify`` names it.

Canonical serialisation (version 1), fixed so that any reader can recompute
it: a JSON object of the fields in ``CHAIN_FIELDS`` plus ``"v": 1``, keys
sorted, no whitespace (``separators=(",", ":")``), UTF-8 without ASCII
escaping, no NaN. Field values are normalised so that what the database
gives back hashes exactly like what was written:

- ``occurred_at``: UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (microseconds, as
  both PostgreSQL and SQLite keep them);
- ``client_ip``: the address as ``ipaddress`` writes it, IPv4-mapped IPv6 as
  ``::ffff:a.b.c.d`` (PostgreSQL's ``inet`` form);
- ``changes`` and ``snapshot`` (JSON): object keys as strings, tuples as
  lists, and floats that JSON cannot carry exactly through PostgreSQL's
  ``jsonb`` (non-finite, or 1e15 and beyond) as their ``repr`` text. This is
  applied when the event is built, so the stored value is the hashed value.

The key is ``settings.LAPOR_RT["AUDIT_CHAIN_KEY"]`` (environment
``LAPOR_AUDIT_CHAIN_KEY``). Kept outside the database, it stops someone who
can write to the database from recomputing a consistent chain after an
edit; without it the chain still catches every edit made without
recomputing the hashes.

Concurrency: the chain head is read and extended under a lock held until
the writing transaction commits: on PostgreSQL a transaction-level advisory
lock (``pg_advisory_xact_lock``), on SQLite the database write lock every
transaction already takes (``transaction_mode=IMMEDIATE``). So ``seq`` order
is commit order, a rolled-back transaction leaves no gap, and the unique
``seq`` turns any writer that skipped the lock into an error rather than a
silent fork. The alternative, sealing events after commit, needs an UPDATE
of every event (which the immutability trigger refuses) and leaves events
unsealed in between; the lock costs one statement per transaction that
audits, held only from its audit write to its commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import connection

GENESIS = "0" * 64
VERSION = 1
# A constant key for pg_advisory_xact_lock: "lapor-rt audit chain".
LOCK_KEY = 7_204_150_104_001
CHAIN_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "door",
    "action",
    "entity_type",
    "entity_id",
    "entity_label",
    "changes",
    "snapshot",
    "rt_id",
    "kelurahan_id",
    "kecamatan_id",
    "request_id",
    "job_id",
    "client_ip",
    "note",
    "prev_hash",
)
_JSON_SAFE_FLOAT = 1e15


class JsonDict(dict):
    """A flat dict already in canonical shape (``snapshot`` and ``diff`` build them).

    Its keys are strings in sorted order and its values JSON scalars or lists
    of scalars, so ``normalise_json`` returns it as it is and ``seal`` encodes
    it without sorting again; both matter for bulk paths.
    """


def chain_key() -> bytes:
    return str(settings.LAPOR_RT.get("AUDIT_CHAIN_KEY", "")).encode()


# -- normalisation -----------------------------------------------------------


def normalise_json(value: Any) -> Any:
    """A copy of ``value`` that survives a round trip through jsonb/JSON unchanged."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is JsonDict:
        return value
    if t is dict:
        return {str(k): normalise_json(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [normalise_json(v) for v in value]
    if t is float:
        if math.isfinite(value) and abs(value) < _JSON_SAFE_FLOAT:
            return value
        return repr(value)
    if isinstance(value, dict):
        return {str(k): normalise_json(v) for k, v in value.items()}
    from backend.audit.services import to_json

    converted = to_json(value)
    if converted is value or type(converted) is type(value):
        return str(value)
    return normalise_json(converted)


def normalise_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return f"::ffff:{address.ipv4_mapped}"
    return address.compressed


def format_time(value: dt.datetime) -> str:
    if value.utcoffset() != _ZERO:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_ZERO = dt.timedelta(0)


# -- hashing -----------------------------------------------------------------


# One encoder, reused: json.dumps() with options builds a new encoder on every call.
_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
# For a JsonDict, already sorted and flat: the same text without sorting again.
_dumps_sorted_already = json.JSONEncoder(
    sort_keys=False, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def _json_text(value: Any) -> str:
    return _dumps_sorted_already(value) if type(value) is JsonDict else _dumps(value)


JSON_FIELDS = ("changes", "snapshot")
# The payload's keys in sorted order; all plain ASCII names, so '"name"' is their JSON.
_PAYLOAD_KEYS = tuple(sorted((*CHAIN_FIELDS, "v")))


_TEMPLATE = "{" + ",".join(f'"{name}":%s' for name in _PAYLOAD_KEYS) + "}"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    return _dumps(value)


def canonical(
    values: dict[str, Any], json_texts: dict[str, str] | None = None, memo: dict | None = None
) -> bytes:
    """The canonical bytes of one event, from a dict holding ``CHAIN_FIELDS``.

    Byte for byte ``json.dumps(payload, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` of the payload described in the module docstring
    (a test holds the two equal); assembled field by field so that bulk
    writes reuse the JSON text of ``changes`` and ``snapshot``
    (``json_texts``) and the encodings of values repeated across a batch
    (``memo``: the action, door, actor, job, time...).
    """
    texts = json_texts or {}
    if memo is None:
        memo = {}
    elif len(memo) > _MEMO_LIMIT:  # single events each bring a new time: stay bounded
        memo.clear()
    parts = []
    for name in _PAYLOAD_KEYS:
        if name in texts:
            parts.append(texts[name])
        elif name == "v":
            parts.append(str(VERSION))
        elif name in _MEMO_KEYS:
            value = values[name]
            key = (name, value)
            text = memo.get(key)
            if text is None:
                if name == "occurred_at":
                    text = f'"{format_time(value)}"'
                elif name == "client_ip":
                    text = _scalar(normalise_ip(value))
                else:
                    text = _scalar(value)
                memo[key] = text
            parts.append(text)
        else:
            parts.append(_scalar(values[name]))
    return (_TEMPLATE % tuple(parts)).encode()


_MEMO_LIMIT = 10_000
# Fields whose values repeat across a batch, so their encodings are worth keeping.
_MEMO_KEYS = frozenset(
    {"occurred_at", "client_ip", "action", "actor_username", "door", "entity_type"}
    | {"job_id", "request_id", "note"}
)


def compute_hash(
    values: dict[str, Any], key: bytes | None = None, json_texts: dict[str, str] | None = None
) -> str:
    return hmac.new(
        chain_key() if key is None else key, canonical(values, json_texts), hashlib.sha256
    ).hexdigest()


# -- appending ---------------------------------------------------------------


def lock_and_read_head() -> tuple[int, str]:
    """Take the chain lock (until commit) and return the head's (seq, hash)."""
    from backend.audit.models import AuditEvent

    if not connection.in_atomic_block:
        raise RuntimeError("the audit chain is extended only inside a transaction")
    # Known cost (measured, accepted): an all-or-nothing import writes its events per
    # chunk inside its one transaction, so it holds this lock from its first chunk to
    # its commit (about 30 s for 100,000 rows on PostgreSQL) and other audited writes
    # wait meanwhile (they wait, they do not fail). Lift it by sealing the import's
    # events at the end from a spooled file, if imports that size become daily work.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "row_hash").first()
    return head if head is not None else (0, GENESIS)


def seal(events: Sequence) -> None:
    """Give unsaved events their place in the chain and their hashes (in order).

    Each event keeps the canonical JSON text of its ``changes`` and
    ``snapshot`` in ``event.json_texts``, for a bulk INSERT to store as is.
    """
    for _event in sealed(events):
        pass


def sealed(events: Sequence, head: tuple[int, str] | None = None) -> Iterator:
    """``seal``, yielding each event as soon as it is sealed (to stream it to the database).

    ``head`` is the chain head from ``lock_and_read_head()``, when the caller
    took the lock already (before starting a COPY on the connection).
    """
    if not events:
        return
    seq, prev = head if head is not None else lock_and_read_head()
    key = chain_key()
    memo: dict = {}
    for event in events:
        seq += 1
        event.seq = seq
        event.prev_hash = prev
        values = event.__dict__  # the attribute values, CHAIN_FIELDS among them
        texts = {name: _json_text(values[name]) for name in JSON_FIELDS}
        event.json_texts = texts
        payload = canonical(values, texts, memo)
        event.row_hash = prev = hmac.new(key, payload, hashlib.sha256).hexdigest()
        yield event


# -- verifying ---------------------------------------------------------------


class Mismatch:
    """The first event where the stored chain and the recomputed one disagree."""

    def __init__(self, *, seq: int, event_id: int | None, reason: str) -> None:
        self.seq = seq
        self.event_id = event_id
        self.reason = reason

    def __str__(self) -> str:
        where = f"seq {self.seq}" + (f" (event id {self.event_id})" if self.event_id else "")
        return f"{where}: {self.reason}"


class VerifyResult:
    def __init__(self) -> None:
        self.checked = 0
        self.head_seq = 0
        self.head_hash = GENESIS
        self.mismatch: Mismatch | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None


def stream_rows(chunk_size: int = 2000, start_seq: int = 1) -> Iterator[dict[str, Any]]:
    """Events as dicts in ``seq`` order, read in chunks (never the whole table at once)."""
    from backend.audit.models import AuditEvent

    names = ("id", *CHAIN_FIELDS, "row_hash")
    queryset = AuditEvent.objects.filter(seq__gte=start_seq).order_by("seq").values_list(*names)
    # Keyset pagination: each chunk is a short indexed query, so no cursor or
    # transaction stays open across the whole table.
    last = start_seq - 1
    while True:
        rows = list(queryset.filter(seq__gt=last)[:chunk_size])
        if not rows:
            return
        for row in rows:
            yield dict(zip(names, row, strict=True))
        last = rows[-1][names.index("seq")]


def verify(
    rows: Iterable[dict[str, Any]] | None = None,
    *,
    start_seq: int = 1,
    start_prev_hash: str = GENESIS,
    key: bytes | None = None,
) -> VerifyResult:
    """Recompute the chain; stop at the first event that does not match."""
    key = chain_key() if key is None else key
    result = VerifyResult()
    expected_seq, prev = start_seq, start_prev_hash
    memo: dict = {}
    for row in stream_rows(start_seq=start_seq) if rows is None else rows:
        seq, event_id = row["seq"], row["id"]
        if seq != expected_seq:
            result.mismatch = Mismatch(
                seq=seq,
                event_id=event_id,
                reason=(
                    f"the chain jumps from seq {expected_seq - 1} to {seq}: "
                    f"{seq - expected_seq} event(s) before it were deleted"
                ),
            )
            return result
        if row["prev_hash"] != prev:
            result.mismatch = Mismatch(
                seq=seq,
                event_id=event_id,
                reason="its previous-hash does not match the event before it "
                "(that event was changed, or this one was moved)",
            )
            return result
        try:
            recomputed = hmac.new(key, canonical(row, None, memo), hashlib.sha256).hexdigest()
        except (TypeError, ValueError) as exc:
            recomputed = f"<unhashable: {exc}>"
        if not hmac.compare_digest(recomputed, row["row_hash"] or ""):
            result.mismatch = Mismatch(
                seq=seq,
                event_id=event_id,
                reason="its contents do not match its hash (the event was changed)",
            )
            return result
        result.checked += 1
        result.head_seq, result.head_hash = seq, row["row_hash"]
        expected_seq, prev = seq + 1, row["row_hash"]
    return result
