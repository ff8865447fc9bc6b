"""The /graphql/ endpoint: GraphiQL in the browser, JSON for the phone app.

Authentication: the admin session (browser, CSRF-protected) or an API token
(``Authorization: Bearer lrt_...``, set by ``ApiTokenMiddleware``, no CSRF).

Requests that are not GraphQL at all (a body that is not a JSON object,
bytes that are not UTF-8, absurd nesting, text no column can store) get a
JSON error with a code and a message in the user's language rather than
reaching Strawberry: 400, 405 for other methods and for queries over GET
(POST only; GET opens GraphiQL), 413 above ``GRAPHQL_MAX_REQUEST_MB``, 401 for
a photo upload without a login (refused before its files are read).
"""

import json

from cross_web import HTTPException
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from strawberry.django.views import GraphQLView

from graphql_schema.population.types import record_nik_reveals
from graphql_schema.schema import schema

_REASONS = {
    "Unable to parse request body as JSON": "invalid_json",
    "Batching is not enabled": "batching_not_supported",
    "Unsupported content type": "unsupported_content_type",
    "No GraphQL query found in the request": "missing_query",
    "mutations are not allowed when using GET": "mutation_over_get",
}


_STATUS = {
    "method_not_allowed": 405,
    "query_over_get": 405,
    "request_too_large": 413,
    "unauthenticated_upload": 401,
}


def _bad_request(code: str, status: int = 400) -> JsonResponse:
    messages = {
        "invalid_json": _("The request body must be a JSON object with a GraphQL query."),
        "batching_not_supported": _("Send one operation per request; batching is not enabled."),
        "unsupported_content_type": _("Send GraphQL as application/json or multipart/form-data."),
        "missing_query": _("The request holds no GraphQL query."),
        "mutation_over_get": _("Mutations must be sent with POST."),
        "bad_request": _("The request could not be read as GraphQL."),
        "method_not_allowed": _("Send GraphQL with POST (GET only opens GraphiQL)."),
        "query_over_get": _(
            "Send GraphQL queries with POST; GET only opens GraphiQL in the browser."
        ),
        "request_too_large": _("The request is too large (at most %(mb)d MB).")
        % {"mb": _max_request_mb()},
        "unauthenticated_upload": _("Log in before sending photos."),
        "invalid_text": _(
            "The request holds text that is not valid Unicode (a lone surrogate); "
            "send it as UTF-8 text."
        ),
        "nul_character": _(
            "The request holds a NUL character (\\u0000), which no text field can store; "
            "remove it and send again."
        ),
    }
    response = JsonResponse(
        {"data": None, "errors": [{"message": messages[code], "extensions": {"code": code}}]},
        status=status,
    )
    if status == 405:
        response["Allow"] = "GET, POST"
    return response


def _max_request_mb() -> int:
    return int(settings.LAPOR_RT.get("GRAPHQL_MAX_REQUEST_MB", 60))


def _text_problem(value) -> str | None:
    """``nul_character`` or ``invalid_text`` when a string of a decoded JSON value holds
    a NUL or a lone surrogate, else None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "nul_character"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "invalid_text"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _body_problem(request) -> str | None:
    """A code when the request is not a GraphQL request object we accept, else None."""
    if request.method not in ("GET", "POST"):
        return "method_not_allowed"
    if request.method == "GET":
        # A query over GET could be triggered by any page the user visits (a link, an
        # image); the session cookie goes along, so reads with effects (a NIK reveal)
        # would be recorded in their name. Queries go by POST; GET opens GraphiQL.
        if "query" in request.GET:
            return "query_over_get"
        return _text_problem(list(request.GET.values()))
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > _max_request_mb() * 1024 * 1024:
        return "request_too_large"
    if request.content_type.startswith("multipart/form-data"):
        if not request.user.is_authenticated:
            return "unauthenticated_upload"  # before the files are read at all
        texts = [v for k, v in request.POST.items() if k in ("operations", "map")]
        for text in texts:
            try:
                problem = _text_problem(json.loads(text))
            except (ValueError, RecursionError):
                return "invalid_json"
            if problem:
                return problem
        return None
    if not request.content_type.startswith("application/json"):
        return None
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "invalid_json"
    if isinstance(payload, list):
        return "batching_not_supported"
    if not isinstance(payload, dict):
        return "invalid_json"
    if not isinstance(payload.get("variables") or {}, dict):
        return "invalid_json"
    return _text_problem(payload)


class LaporGraphQLView(GraphQLView):
    def __init__(self, **kwargs):
        kwargs.setdefault("schema", schema)
        kwargs.setdefault("graphql_ide", "graphiql")
        # Photo uploads (GraphQL multipart requests). Safe with Django's CSRF check,
        # which this view keeps: a browser session must send the CSRF token, and a
        # phone-app token request carries no cookie to forge.
        kwargs.setdefault("multipart_uploads_enabled", True)
        super().__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        try:
            problem = _body_problem(request)
        except RequestDataTooBig:
            problem = "request_too_large"
        if problem:
            return _bad_request(problem, _STATUS.get(problem, 400))
        try:
            return self.run(request=request)
        except HTTPException as exc:
            reason = exc.reason or ""
            code = next((c for text, c in _REASONS.items() if reason.startswith(text)), None)
            if code is None and exc.status_code == 400:
                code = "bad_request"
            if code is None:
                raise
            return _bad_request(code, exc.status_code)

    def render_graphql_ide(self, request):
        # GraphiQL sends the csrftoken cookie back as X-CSRFToken; make sure it exists.
        get_token(request)
        return super().render_graphql_ide(request)

    def process_result(self, request, result):
        record_nik_reveals(request)
        return super().process_result(request, result)
