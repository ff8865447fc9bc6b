"""Two app configs live here.

``LaporAdminConfig`` is Django's admin (label ``admin``) with Lapor RT's site
as the default site. ``BackofficeConfig`` makes ``admin_config`` itself an
app, so that its templates, static files and translation catalogue
(``admin_config/locale``) are found, and so that ``admin.autodiscover()``
imports ``admin_config.admin``, which loads every ModelAdmin module here.
"""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class LaporAdminConfig(AdminConfig):
    """Django's admin, with Lapor RT's site as the default site."""

    default_site = "admin_config.site.LaporAdminSite"


class BackofficeConfig(AppConfig):
    name = "admin_config"
    label = "admin_config"
    verbose_name = _("Backoffice")
