"""The /graphql/ endpoint: GraphiQL in the browser, JSON for the phone app.

Authentication: the admin session (browser, CSRF-protected) or an API token
(``Authorization: Bearer lrt_...``, set by ``ApiTokenMiddleware``, no CSRF).
"""

from django.middleware.csrf import get_token
from strawberry.django.views import GraphQLView

from graphql_schema.population.types import record_nik_reveals
from graphql_schema.schema import schema


class LaporGraphQLView(GraphQLView):
    def __init__(self, **kwargs):
        kwargs.setdefault("schema", schema)
        kwargs.setdefault("graphql_ide", "graphiql")
        # Photo uploads (GraphQL multipart requests). Safe with Django's CSRF check,
        # which this view keeps: a browser session must send the CSRF token, and a
        # phone-app token request carries no cookie to forge.
        kwargs.setdefault("multipart_uploads_enabled", True)
        super().__init__(**kwargs)

    def render_graphql_ide(self, request):
        # GraphiQL sends the csrftoken cookie back as X-CSRFToken; make sure it exists.
        get_token(request)
        return super().render_graphql_ide(request)

    def process_result(self, request, result):
        record_nik_reveals(request)
        return super().process_result(request, result)
