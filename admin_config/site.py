"""The Lapor RT admin site."""

from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite


class LaporAdminSite(UnfoldAdminSite):
    site_title = _("Lapor RT")
    site_header = _("Lapor RT backoffice")
    index_title = _("Dashboard")
