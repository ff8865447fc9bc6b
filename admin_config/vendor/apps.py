"""Indonesian for django-unfold's own interface strings (unfold ships none).

An app of its own, listed last in INSTALLED_APPS, so that its catalogue has
the lowest precedence: it only translates msgids that neither Django nor any
Lapor RT app translates.
"""

from django.apps import AppConfig


class VendorTranslationsConfig(AppConfig):
    name = "admin_config.vendor"
    label = "admin_config_vendor"
    verbose_name = "django-unfold translations"
