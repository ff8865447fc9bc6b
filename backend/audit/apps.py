from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "backend.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from backend.audit import signals

        signals.connect()
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="audit_triggers")
        # Domains register their restore services and restore rules
        # (backend.audit.restore) in their services module.
        autodiscover_modules("services")


def _install_triggers(sender, using, **kwargs) -> None:
    # Idempotent: SQLite loses a table's triggers when a migration rebuilds it.
    from backend.audit.db import install_triggers

    install_triggers(connections[using])
