"""Registers the audit admin (it lives in admin_config/, with the rest of the admin).

Django's admin autodiscovery imports ``<app>.admin`` of every installed app;
this keeps ``admin_config.audit`` registered until ``admin_config`` imports
its modules itself.
"""

import admin_config.audit  # noqa: F401
