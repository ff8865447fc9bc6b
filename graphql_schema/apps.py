from django.apps import AppConfig


class GraphqlSchemaConfig(AppConfig):
    name = "graphql_schema"
    label = "graphql_schema"
