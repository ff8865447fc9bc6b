"""Django's ``flush``, able to empty the audit table that the SQLite triggers guard.

A flush wipes the whole database by definition (Django's transactional test
cases call it after each test). On PostgreSQL it truncates, which the row
triggers do not see; on SQLite it deletes row by row, which they refuse, so
this command lifts the SQLite guard for the flush and puts it back after.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from backend.audit.db import drop_triggers, install_triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        drop_triggers(connection)
        try:
            return super().handle(**options)
        finally:
            install_triggers(connection)
