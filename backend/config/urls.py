from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from graphql_schema.views import LaporGraphQLView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Browsers ask for /favicon.ico on every page; answer with the product's icon.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("admin_config/favicon.svg"), permanent=True),
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("graphql/", LaporGraphQLView.as_view(), name="graphql"),
    path("reports/", include("backend.reports.urls")),
]
# Error pages in the user's language and the admin's look (admin_config/errors.py).
handler400 = "admin_config.errors.bad_request"
handler403 = "admin_config.errors.permission_denied"
handler404 = "admin_config.errors.page_not_found"
handler500 = "admin_config.errors.server_error"

# No /media/ route, not even with DEBUG: uploaded files (import spreadsheets,
# their parsed rows, report photos) hold personal data and are served only
# through views that check the viewer's scope.
