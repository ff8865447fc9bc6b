"""Sets the audit context for every web request: door, request id and client address."""

from backend.audit.context import AuditContext, Door, _current, new_request_id


def client_ip(request) -> str | None:
    # The embedded default has no proxy; behind one, production sets
    # SECURE_PROXY_SSL_HEADER and the proxy must overwrite REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        door = Door.GRAPHQL if path.startswith("/graphql") else Door.ADMIN
        request_id = request.headers.get("X-Request-ID", "")[:64] or new_request_id()
        request.request_id = request_id
        token = _current.set(
            AuditContext(door=door, request_id=request_id, client_ip=client_ip(request))
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response
