"""The GraphQL schema: each domain's Query and Mutation merged, with the guards every
operation passes (authentication per field, depth, aliases, tokens, page size) and the
query optimizer that keeps nested reads free of N+1."""

from __future__ import annotations

import strawberry
from django.conf import settings
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

from graphql_schema.accounts.schema import AccountsMutation, AccountsQuery
from graphql_schema.extensions import (
    FieldBudget,
    LaporMaskErrors,
    PageSizeLimiter,
    SelectionLimiter,
    log_unexpected,
)
from graphql_schema.population.queries import PopulationQuery
from graphql_schema.reports.mutations import ReportsMutation
from graphql_schema.reports.queries import ReportsQuery
from graphql_schema.scalars import SCALAR_OVERRIDES
from graphql_schema.wilayah.queries import WilayahQuery

Query = merge_types("Query", (WilayahQuery, PopulationQuery, AccountsQuery, ReportsQuery))
Mutation = merge_types("Mutation", (AccountsMutation, ReportsMutation))

_limits = settings.LAPOR_RT


class LaporSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # Strawberry's default logs each error's message and stack; messages can
        # carry personal data, so log only types and stacks, with a reference id.
        log_unexpected(errors)


schema = LaporSchema(
    query=Query,
    mutation=Mutation,
    scalar_overrides=SCALAR_OVERRIDES,
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=_limits["GRAPHQL_MAX_TOKENS"]),
        PageSizeLimiter,
        SelectionLimiter,
        lambda: QueryDepthLimiter(max_depth=_limits["GRAPHQL_MAX_DEPTH"]),
        lambda: MaxAliasesLimiter(max_alias_count=_limits["GRAPHQL_MAX_ALIASES"]),
        DjangoOptimizerExtension,
        FieldBudget,
        LaporMaskErrors,
    ],
)
