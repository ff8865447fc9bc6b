"""django-unfold: the admin's look, navigation and languages."""

from django.utils.translation import gettext_lazy as _

UNFOLD = {
    "SITE_TITLE": _("Lapor RT"),
    "SITE_HEADER": _("Lapor RT"),
    "SITE_SUBHEADER": _("Kelurahan backoffice"),
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
}
