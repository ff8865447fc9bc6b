"""Load every ModelAdmin module of the backoffice (``admin.autodiscover()`` runs this).

Each module ``admin_config/<name>.py`` that is not part of the site's own
machinery is imported, so a new page (audit, imports, reports) only needs
its module here; nobody edits a central list.
"""

import importlib
import pkgutil

import admin_config

_MACHINERY = {
    "admin",
    "apps",
    "base",
    "dashboard",
    "errors",
    "filters",
    "navigation",
    "nik",
    "site",
    "vendor",
    "widgets",
}

for _module in pkgutil.iter_modules(admin_config.__path__):
    if _module.name.startswith("_") or _module.name in _MACHINERY:
        continue
    importlib.import_module(f"admin_config.{_module.name}")
