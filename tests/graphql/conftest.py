from __future__ import annotations

import json

import pytest
from django.test import Client


class GraphQLClient:
    """Posts GraphQL documents to /graphql/ as a logged-in user (session) or with a token."""

    def __init__(self, user=None, token: str | None = None) -> None:
        self.client = Client(enforce_csrf_checks=False)
        self.token = token
        if user is not None:
            self.client.force_login(user)

    def execute(self, query: str, variables: dict | None = None, **headers) -> dict:
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        response = self.client.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code in (200, 400), response.content[:500]
        return response.json()


@pytest.fixture
def gql():
    def make(user=None, token=None) -> GraphQLClient:
        return GraphQLClient(user, token)

    return make
