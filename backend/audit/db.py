"""Database guards: triggers that make the database itself refuse to change audit events.

PostgreSQL: a row trigger raises on every UPDATE and DELETE of
``audit_auditevent``. SQLite: the same as two ``RAISE(ABORT)`` triggers.
They are created by migration ``0003_immutable_triggers`` and re-created
(idempotently) after every ``migrate``, because SQLite drops a table's
triggers when a later migration rebuilds the table.

What they guard against: application bugs, raw SQL written in a hurry,
a mistaken admin tool. What they cannot stop: the table's owner or a
database superuser disabling them on purpose; the hash chain
(``backend.audit.chain``) is what makes that visible afterwards. In
production, run the application as a role that does not own the tables
and revoke ``UPDATE, DELETE, TRUNCATE`` on ``audit_auditevent`` from it
(``manage.py audit_verify --print-hardening-sql`` prints the statements).

TRUNCATE is not refused by a trigger: Django's ``flush`` (and so
transactional tests) truncates every table on PostgreSQL. Our ``flush``
command drops the SQLite triggers for the same reason (a flush wipes the
whole database by definition).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

TABLE = "audit_auditevent"
MESSAGE = "audit events are immutable: UPDATE and DELETE are refused"

_PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS audit_event_immutable ON {TABLE}",
    f"""
    CREATE TRIGGER audit_event_immutable BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable()
    """,
]
_PG_DROP = [
    f"DROP TRIGGER IF EXISTS audit_event_immutable ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_immutable()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def _statements(connection, *, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return _PG_INSTALL if install else _PG_DROP
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_DROP
    return []


def _table_exists(connection) -> bool:
    with connection.cursor() as cursor:
        return TABLE in connection.introspection.table_names(cursor)


def install_triggers(connection) -> None:
    if not _table_exists(connection):
        return
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)


def triggers_installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_immutable' "
                "AND tgenabled <> 'D'"
            )
            return cursor.fetchone()[0] == 1
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name IN ('audit_event_no_update', 'audit_event_no_delete')"
            )
            return cursor.fetchone()[0] == 2
    return False


@contextlib.contextmanager
def triggers_disabled(connection) -> Iterator[None]:
    """Lift the guard for a block (tests that tamper on purpose, maintenance).

    Run it inside a transaction: on both databases the DDL is transactional,
    so a rollback restores the guard too.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_event_immutable")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_event_immutable")
        return
    drop_triggers(connection)
    try:
        yield
    finally:
        install_triggers(connection)


HARDENING_SQL = f"""-- Run as the owner of the tables; APP_ROLE is the role the application uses.
REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM APP_ROLE;
GRANT SELECT, INSERT ON {TABLE} TO APP_ROLE;
GRANT USAGE ON SEQUENCE {TABLE}_id_seq TO APP_ROLE;
"""
