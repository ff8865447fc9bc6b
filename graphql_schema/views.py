from strawberry.django.views import GraphQLView

from graphql_schema.schema import schema


class LaporGraphQLView(GraphQLView):
    def __init__(self, **kwargs):
        super().__init__(schema=schema, graphql_ide="graphiql", **kwargs)
