"""The reports admin lives in ``admin_config/reports.py``; admin autodiscovery imports it
through this module, so no other file needs to know about it."""

import admin_config.reports  # noqa: F401
