"""Audit events: who changed what, when, through which door, and what it was before.

Events are append-only. The model and its queryset refuse every update and
delete (a superuser included); on PostgreSQL and SQLite a trigger makes the
database refuse them too (migration ``0003_immutable_triggers``). Each event
carries ``seq`` (its place in the chain), ``prev_hash`` and ``row_hash``,
an HMAC-SHA256 over its canonical serialisation chained to the previous
event; ``manage.py audit_verify`` recomputes the chain
(``backend.audit.chain``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    REVISION_REQUESTED = "revision_requested", _("revision requested")
    WITHDRAWN = "withdrawn", _("withdrawn")
    RESTORED = "restored", _("restored")
    IMPORTED = "imported", _("imported")
    EXPORTED = "exported", _("exported")
    LOGGED_IN = "logged_in", _("logged in")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOCKED_OUT = "locked_out", _("locked out after failed logins")
    PERMISSION_DENIED = "permission_denied", _("permission denied")
    NIK_REVEALED = "nik_revealed", _("NIK revealed")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")


# Actions whose event holds the whole record in ``snapshot`` and needs no
# separate before/after: a creation (before: nothing) or a deletion (after:
# nothing). ``AuditEvent.field_changes`` derives the pairs.
WHOLE_RECORD_ACTIONS = frozenset({Action.CREATED, Action.IMPORTED, Action.DELETED})
_TIMESTAMPS = frozenset({"created_at", "updated_at"})


class DoorChoice(models.TextChoices):
    ADMIN = "admin", _("admin")
    ADMIN_ACTION = "admin_action", _("admin action")
    GRAPHQL = "graphql", _("GraphQL")
    IMPORT = "import", _("import")
    COMMAND = "command", _("management command")
    SYSTEM = "system", _("system")


class AuditImmutableError(Exception):
    """Raised when code tries to change or delete an audit event."""


_IMMUTABLE = "audit events are immutable: they are never updated or deleted"


class AuditEventQuerySet(models.QuerySet):
    """A queryset that can read and insert audit events, never change or delete them."""

    def update(self, **kwargs):
        raise AuditImmutableError(_IMMUTABLE)

    def delete(self):
        raise AuditImmutableError(_IMMUTABLE)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditImmutableError(_IMMUTABLE)

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AuditImmutableError(_IMMUTABLE)

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("update_conflicts"):
            raise AuditImmutableError(_IMMUTABLE)
        return super().bulk_create(objs, *args, **kwargs)

    def _raw_delete(self, using):
        raise AuditImmutableError(_IMMUTABLE)


class AuditEvent(models.Model):
    """One recorded change, sensitive read or refused attempt. Never updated or deleted.

    Write events only through ``backend.audit.services`` (``record``,
    ``record_many``, ``record_refusal``...): they fill the context and
    extend the hash chain.
    """

    # Position in the hash chain: 1, 2, 3... without gaps, assigned under the
    # chain lock (``backend.audit.chain``). Unique, so two writers can never fork
    # the chain silently.
    seq = models.BigIntegerField(_("sequence number"), unique=True, editable=False)

    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No index on actor or RT: the timeline filters users by username (failed logins
    # have no user) and RTs inside a kelurahan; fewer indexes keep bulk inserts cheap.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    door = models.CharField(_("door"), max_length=20, choices=DoorChoice.choices)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    entity_type = models.CharField(_("entity"), max_length=60, blank=True)
    entity_id = models.CharField(_("entity id"), max_length=40, blank=True)
    # Non-personal label (never a NIK or name): "RT 005", "Laporan #12".
    entity_label = models.CharField(_("label"), max_length=120, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True)
    # Region of the entity, denormalised so the trail can be scoped without joins
    # to rows that may since have moved or been deleted.
    rt = models.ForeignKey(
        "wilayah.RT",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("RT"),
    )
    kelurahan = models.ForeignKey(
        "wilayah.Kelurahan",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan"),
    )
    kecamatan = models.ForeignKey(
        "wilayah.Kecamatan",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kecamatan"),
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    job_id = models.CharField(_("import job"), max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    row_hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["entity_type", "entity_id"], name="audit_entity_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.entity_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError(_IMMUTABLE)
        if not self.row_hash:
            raise AuditImmutableError(
                "write audit events through backend.audit.services.record(), which chains them"
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError(_IMMUTABLE)

    @property
    def actor_display(self) -> str:
        """ "Full Name (username)" as people know each other; the username alone when the
        account has no name or no longer exists (the trail keeps the username it had)."""
        if self.actor_id is not None and self.actor is not None:
            full = self.actor.get_full_name()
            if full:
                return f"{full} ({self.actor_username})"
        return self.actor_username

    def field_changes(self) -> dict:
        """``{field: [before, after]}`` of the changed fields, or other recorded details.

        A creation or deletion may be recorded with the whole record in
        ``snapshot`` only (that is how services write them, to store each value
        once); its pairs are derived here: every field with a value (not None,
        not empty), against nothing.
        """
        if self.changes or not self.snapshot or self.action not in WHOLE_RECORD_ACTIONS:
            return self.changes or {}
        deleted = self.action == Action.DELETED
        return {
            name: [value, None] if deleted else [None, value]
            for name, value in self.snapshot.items()
            if value is not None and value != "" and name not in _TIMESTAMPS
        }
