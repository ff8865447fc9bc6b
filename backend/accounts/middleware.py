"""Speak the language the user chose (Bahasa Indonesia unless they picked English)."""

from django.conf import settings
from django.utils import translation


def activate_user_language(request, user) -> None:
    language = getattr(user, "language", None)
    if user is not None and user.is_authenticated and language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_user_language(request, getattr(request, "user", None))
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ApiTokenMiddleware:
    """Authenticate GraphQL requests that carry ``Authorization: Bearer <token>``.

    CSRF protects a browser's ambient credentials (the session cookie). A
    GraphQL request with a token, or with no session cookie at all (the
    phone's first ``tokenCreate`` login), carries none, so it is not
    CSRF-checked; a browser session still is. A request with a bad token
    stays anonymous and is marked, so the API can say why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/graphql"):
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            request._dont_enforce_csrf_checks = True
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            from django.contrib.auth.models import AnonymousUser

            from backend.accounts.services import token_authenticate

            token = token_authenticate(header[7:].strip())
            request._dont_enforce_csrf_checks = True
            if token is None:
                request.user = AnonymousUser()
                request.api_token_invalid = True
            else:
                request.user = token.user
                request.api_token = token
        return self.get_response(request)
