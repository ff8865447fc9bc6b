from django.urls import path

from backend.reports.views import photo_view

app_name = "reports"
urlpatterns = [
    path("photos/<int:pk>/", photo_view, name="photo"),
]
