"""The hash chain: every event linked to the one before; tampering is caught and named."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test import override_settings

from backend.audit import chain
from backend.audit.context import audit_context
from backend.audit.db import triggers_disabled
from backend.audit.models import Action, AuditEvent
from backend.audit.services import build_event, record, record_many


def _events(n: int) -> list[AuditEvent]:
    return [
        record(
            actor=None,
            action=Action.UPDATED,
            entity_type="population.resident",
            entity_id=i,
            changes={"name": [f"Lama {i}", f"Baru {i}"]},
        )
        for i in range(1, n + 1)
    ]


def _verify_output() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def _tamper(sql: str, params) -> None:
    with triggers_disabled(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_events_form_a_gapless_chain(db):
    events = _events(4)

    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.row_hash
    assert "4 event(s) verified" in _verify_output()


def test_values_read_back_from_the_database_hash_like_what_was_written(db):
    """Float, int keys, tuples, non-ASCII text and an IPv4-mapped address survive the trip."""
    with audit_context(client_ip="::FFFF:10.0.0.9"):
        record(
            actor=None,
            action=Action.UPDATED,
            entity_type="x.y",
            changes={1: (1.5, 1e20), "nama": ["Ñoño — ŝ", None], "ok": True, "n": 10**17},
            snapshot={"nested": {"a": [1, {"b": float("inf")}]}},
        )
    result = chain.verify()
    assert result.ok, result.mismatch
    stored = AuditEvent.objects.get()
    assert stored.changes["1"] == [1.5, "1e+20"]
    assert stored.client_ip in {"::ffff:10.0.0.9", "::ffff:a00:9"}


def test_verify_names_the_event_whose_contents_were_edited(db):
    events = _events(5)
    _tamper(
        "UPDATE audit_auditevent SET changes = %s WHERE id = %s",
        ['{"name": ["Lama 3", "Palsu"]}', events[2].pk],
    )

    with pytest.raises(CommandError) as caught:
        _verify_output()

    assert f"seq 3 (event id {events[2].pk})" in str(caught.value)
    assert "contents do not match" in str(caught.value)


def test_verify_catches_an_edit_that_recomputed_the_hash_without_the_key(db):
    events = _events(3)
    values = {name: getattr(events[1], name) for name in chain.CHAIN_FIELDS}
    values["actor_username"] = "orang.lain"
    forged = chain.compute_hash(values, key=b"guessed")
    _tamper(
        "UPDATE audit_auditevent SET actor_username = %s, row_hash = %s WHERE id = %s",
        ["orang.lain", forged, events[1].pk],
    )

    result = chain.verify()

    assert (result.mismatch.seq, result.checked) == (2, 1)


def test_verify_names_the_event_after_a_deleted_one(db):
    events = _events(5)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])

    with pytest.raises(CommandError) as caught:
        _verify_output()

    assert f"seq 3 (event id {events[2].pk})" in str(caught.value)
    assert "1 event(s) before it were deleted" in str(caught.value)


def test_expect_head_catches_the_newest_events_being_deleted(db):
    events = _events(3)
    head = f"{events[-1].seq}:{events[-1].row_hash}"
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])

    assert "2 event(s) verified" in _verify_output()  # the chain alone cannot tell
    with pytest.raises(CommandError, match="truncated"):
        call_command("audit_verify", expect_head=head)


def test_a_different_key_fails_verification_at_the_first_event(db):
    _events(2)
    with override_settings(LAPOR_RT={"AUDIT_CHAIN_KEY": "another key"}):
        result = chain.verify()
    assert result.mismatch.seq == 1


def test_verify_streams_in_chunks_of_bounded_size(db, django_assert_num_queries):
    _events(5)
    with django_assert_num_queries(4):  # chunks of 2, 2, 1, then an empty one
        rows = list(chain.stream_rows(chunk_size=2))
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]


def test_one_record_costs_a_head_read_and_an_insert(db, django_assert_num_queries):
    _events(1)
    expected = 3 if connection.vendor == "postgresql" else 2  # + the advisory lock
    with django_assert_num_queries(expected):
        _events(1)


def test_a_bulk_batch_costs_a_bounded_number_of_queries(db, django_assert_max_num_queries):
    events = [build_event(actor=None, action=Action.CREATED, entity_id=i) for i in range(3000)]
    with django_assert_max_num_queries(80):
        record_many(events)
    assert chain.verify().checked == 3000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgres_keep_one_unbroken_chain():
    writers, per_writer = 4, 15
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    record(actor=None, action=Action.UPDATED, entity_type="t.w", entity_id=i)
                    if i % 3 == 0:
                        record_many(
                            build_event(actor=None, action=Action.UPDATED, note=f"w{n}")
                            for _ in range(2)
                        )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    result = chain.verify()
    assert result.ok, result.mismatch
    assert result.checked == writers * (per_writer + 2 * 5)


def test_the_canonical_form_is_plain_sorted_compact_json(db):
    """Anyone can recompute a hash with a standard JSON library (the documented form)."""
    import json

    event = record(
        actor=None,
        action=Action.CREATED,
        entity_type="population.resident",
        entity_id=7,
        snapshot={"name": 'Ñoño "kutip"', "nik": "6471041705750001", "rt": 3},
        note="catatan\nbaris",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    payload = {name: getattr(stored, name) for name in chain.CHAIN_FIELDS}
    payload["occurred_at"] = stored.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload["v"] = 1
    expected = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    assert chain.canonical(payload | {"occurred_at": stored.occurred_at}) == expected.encode()
    assert hmac.new(b"", expected.encode(), hashlib.sha256).hexdigest() == stored.row_hash
