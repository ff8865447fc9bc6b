from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "backend.reports"
    label = "reports"
    verbose_name = _("Lapor RT reports")

    def ready(self) -> None:
        # Registers the privacy rule of draft reports' audit events (@private_events).
        from backend.reports import selectors  # noqa: F401
