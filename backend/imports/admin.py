"""Registers the import pages on the project's admin site (they live in admin_config)."""

import admin_config.imports  # noqa: F401
