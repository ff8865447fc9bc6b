"""Report photos, served only to people who may read the report.

Photos are not public media: ``/reports/photos/<id>/`` checks the viewer's
scope on every request, for an admin session or a phone-app token
(``Authorization: Bearer ...``), and answers "not found" outside it (someone
else's draft included).
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from backend.reports import selectors
from backend.reports.models import ReportPhoto


def _viewer(request):
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        from backend.accounts.services import token_authenticate

        token = token_authenticate(header[7:].strip())
        return token.user if token is not None else None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@require_GET
def photo_view(request, pk: int):
    user = _viewer(request)
    if user is None:
        raise Http404
    photo = (
        ReportPhoto.objects.filter(report__in=selectors.report_list(actor=user), pk=pk)
        .only("image")
        .first()
    )
    if photo is None or not photo.image:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
