"""Nobody changes or deletes audit events: not code, not the admin, not raw SQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from backend.audit.db import triggers_installed
from backend.audit.models import Action, AuditEvent, AuditImmutableError
from backend.audit.services import build_event, record


@pytest.fixture
def event(db) -> AuditEvent:
    record(actor=None, action=Action.CREATED, entity_type="x.y", entity_id=1, note="first")
    return record(actor=None, action=Action.UPDATED, entity_type="x.y", entity_id=1, note="two")


def test_saving_a_stored_event_again_is_refused(event):
    event.note = "edited"
    with pytest.raises(AuditImmutableError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).note == "two"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AuditImmutableError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda qs: qs.update(note="edited"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["note"]),
        lambda qs: qs.update_or_create(pk=1, defaults={"note": "edited"}),
        lambda qs: qs._raw_delete(qs.db),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create", "raw_delete"],
)
def test_queryset_writes_are_refused(event, attempt):
    with pytest.raises(AuditImmutableError):
        attempt(AuditEvent.objects.all())
    assert AuditEvent.objects.count() == 2


def test_an_event_saved_without_the_chain_is_refused(db):
    with pytest.raises(AuditImmutableError):
        build_event(actor=None, action=Action.CREATED).save()


def test_the_database_refuses_update_and_delete_by_raw_sql(event):
    assert triggers_installed(connection)
    for sql in (
        "UPDATE audit_auditevent SET note = 'edited' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == "two"


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_even_for_the_table_owner(event):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")
        assert cursor.fetchone()[1] is True  # even a database superuser hits the trigger
    for sql in (
        "UPDATE audit_auditevent SET changes = '{}'::jsonb",
        "DELETE FROM audit_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 2


def test_flush_still_empties_the_database_and_puts_the_guard_back(event):
    call_command("flush", interactive=False, verbosity=0)

    assert AuditEvent.objects.count() == 0
    assert triggers_installed(connection)


def test_superuser_cannot_add_change_or_delete_events_in_the_admin(client, event):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(root)
    base = "/admin/audit/auditevent/"

    assert client.get(f"{base}add/").status_code == 403
    assert client.get(f"{base}{event.pk}/delete/").status_code == 403
    response = client.post(f"{base}{event.pk}/change/", {"note": "edited"})
    assert response.status_code == 200  # the read-only detail page, nothing saved
    changelist = client.get(base)
    assert changelist.status_code == 200
    assert b"delete_selected" not in changelist.content
    assert AuditEvent.objects.get(pk=event.pk).note == "two"
