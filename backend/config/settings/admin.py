"""django-unfold: the admin's look, navigation and languages.

The sidebar and the dashboard are built by ``admin_config.site.LaporAdminSite``
(they depend on the user's scope); this module only holds static settings.
"""

from django.utils.translation import gettext_lazy as _

UNFOLD = {
    "SITE_TITLE": _("Lapor RT"),
    "SITE_HEADER": _("Lapor RT"),
    # A callable, so that its msgid lives in admin_config's catalogue.
    "SITE_SUBHEADER": "admin_config.site.site_subheader",
    "SITE_SYMBOL": "holiday_village",
    "SHOW_LANGUAGES": True,
    # The audit trail (backend.audit) is the change history; Django's LogEntry
    # history is not written (admin_config.base.ScopedModelAdmin).
    "SHOW_HISTORY": False,
    "SHOW_VIEW_ON_SITE": False,
    "STYLES": ["admin_config.site.stylesheet_url"],
    "LANGUAGES": {"action": "admin_config.site.language_action_url"},
    "SIDEBAR": {"show_search": True, "show_all_applications": False},
}
