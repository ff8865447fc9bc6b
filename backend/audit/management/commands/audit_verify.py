"""Verify the audit trail's hash chain and name the first event that does not match.

Reads the events in ``seq`` order in chunks (memory stays flat whatever the
size of the trail), recomputes each hash and each link, and stops at the
first mismatch with a non-zero exit status. ``--expect-head SEQ:HASH``
also checks that the trail still reaches a head written down earlier (the
chain alone cannot see the newest events being deleted).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from backend.audit import chain
from backend.audit.db import HARDENING_SQL, triggers_installed
from backend.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; name the first event that does not match."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="fail unless the event with this seq still has this hash",
        )
        parser.add_argument(
            "--print-hardening-sql",
            action="store_true",
            help="print the GRANT/REVOKE statements for production and exit",
        )

    def handle(self, *args, expect_head=None, print_hardening_sql=False, **options):
        if print_hardening_sql:
            self.stdout.write(HARDENING_SQL)
            return
        started = time.monotonic()
        result = chain.verify()
        elapsed = time.monotonic() - started
        if not result.ok:
            raise CommandError(
                f"audit chain broken at {result.mismatch} "
                f"({result.checked} event(s) before it verified)"
            )
        if expect_head:
            self._check_head(expect_head)
        if not triggers_installed(connection):
            self.stderr.write(
                "warning: the database triggers that refuse UPDATE/DELETE are missing"
            )
        self.stdout.write(
            f"audit chain OK: {result.checked} event(s) verified in {elapsed:.2f} s; "
            f"head seq {result.head_seq} hash {result.head_hash}"
        )

    def _check_head(self, expect_head: str) -> None:
        seq_text, _, expected_hash = expect_head.partition(":")
        try:
            seq = int(seq_text)
        except ValueError:
            raise CommandError("--expect-head takes SEQ:HASH") from None
        stored = AuditEvent.objects.filter(seq=seq).values_list("row_hash", flat=True).first()
        if stored is None:
            raise CommandError(f"audit chain truncated: the expected head seq {seq} is missing")
        if stored != expected_hash:
            raise CommandError(f"audit chain rewritten: seq {seq} no longer has the expected hash")
