"""Sets the audit context for every web request: door, request id and client address."""

from backend.audit.context import AuditContext, Door, _current, new_request_id

_FORM = "application/x-www-form-urlencoded"
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def _safe_id(value: str) -> str:
    """A caller's X-Request-ID, kept only when it is a plain token (it lands in the trail)."""
    value = value[:64]
    return value if value and set(value) <= _ID_CHARS else ""


def client_ip(request) -> str | None:
    # The embedded default has no proxy; behind one, production sets
    # SECURE_PROXY_SSL_HEADER and the proxy must overwrite REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


def door_of(request) -> str:
    """GraphQL for /graphql, an admin action for a change list's action form, else admin."""
    if request.path_info.startswith("/graphql"):
        return Door.GRAPHQL
    if (
        request.method == "POST"
        and request.content_type == _FORM
        and "_selected_action" in request.POST
        and "action" in request.POST
    ):
        return Door.ADMIN_ACTION
    return Door.ADMIN


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _safe_id(request.headers.get("X-Request-ID", "")) or new_request_id()
        request.request_id = request_id
        token = _current.set(
            AuditContext(door=door_of(request), request_id=request_id, client_ip=client_ip(request))
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response
