"""Speak the language the user chose (Bahasa Indonesia unless they picked English)."""

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
