"""The /graphql/ endpoint: GraphiQL in the browser, JSON for the phone app.

Authentication: the admin session (browser, CSRF-protected) or an API token
(``Authorization: Bearer lrt_...``, set by ``ApiTokenMiddleware``, no CSRF).

Requests that are not GraphQL at all (a body that is not a JSON object,
bytes that are not UTF-8, absurd nesting) get a 400 with a message in the
user's language rather than reaching Strawberry.
"""

import json

from cross_web import HTTPException
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


def _bad_request(code: str, status: int = 400) -> JsonResponse:
    messages = {
        "invalid_json": _("The request body must be a JSON object with a GraphQL query."),
        "batching_not_supported": _("Send one operation per request; batching is not enabled."),
        "unsupported_content_type": _("Send GraphQL as application/json or multipart/form-data."),
        "missing_query": _("The request holds no GraphQL query."),
        "mutation_over_get": _("Mutations must be sent with POST."),
        "bad_request": _("The request could not be read as GraphQL."),
        "nul_character": _(
            "The request holds a NUL character (\\u0000), which no text field can store; "
            "remove it and send again."
        ),
    }
    return JsonResponse(
        {"data": None, "errors": [{"message": messages[code], "extensions": {"code": code}}]},
        status=status,
    )


def _holds_nul(value) -> bool:
    """Whether a NUL character hides in any string (or key) of a decoded JSON value.

    PostgreSQL text cannot store NUL; refusing it here gives one clear message
    instead of a database error deep in whichever service the text reached.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _body_problem(request) -> str | None:
    """A code when the request is not a GraphQL request object we accept, else None."""
    if request.method == "GET":
        return "nul_character" if _holds_nul(list(request.GET.values())) else None
    if request.method != "POST":
        return None
    if request.content_type.startswith("multipart/form-data"):
        texts = [v for k, v in request.POST.items() if k in ("operations", "map")]
        for text in texts:
            try:
                if _holds_nul(json.loads(text)):
                    return "nul_character"
            except (ValueError, RecursionError):
                return "invalid_json"
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
    if _holds_nul(payload):
        return "nul_character"
    return None


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
        problem = _body_problem(request)
        if problem:
            return _bad_request(problem)
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
