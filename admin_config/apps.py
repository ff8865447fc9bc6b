from django.contrib.admin.apps import AdminConfig


class LaporAdminConfig(AdminConfig):
    """Django's admin, with Lapor RT's site as the default site."""

    default_site = "admin_config.site.LaporAdminSite"
