"""Guards every operation passes before it touches the database, and error masking.

- ``PageSizeLimiter`` refuses a ``pagination.limit`` (or a plain ``limit``
  argument) above the maximum, as a literal or through a variable, in
  fragments too, before validation and execution.
- Depth, alias and token limits are Strawberry's own validation extensions
  (configured in ``schema.py``).
- ``LaporMaskErrors`` turns unexpected exceptions into a short message with
  a reference id; the details go to the log only. Domain errors keep their
  code and (translated) message.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Iterator

from django.utils.translation import gettext as _
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    IntValueNode,
    ObjectValueNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import MaskErrors, SchemaExtension

from backend.common.errors import DomainError
from graphql_schema.fields import max_page_size

logger = logging.getLogger(__name__)


class _PaginationVisitor(Visitor):
    def __init__(self, variables: dict) -> None:
        super().__init__()
        self.variables = variables or {}
        self.too_big: list[int] = []

    def enter_argument(self, node: ArgumentNode, *args) -> None:
        if node.name.value == "limit":  # fields paginated with plain offset/limit arguments
            if isinstance(node.value, IntValueNode):
                self._check(int(node.value.value))
            elif isinstance(node.value, VariableNode):
                self._check(self.variables.get(node.value.name.value))
            return
        if node.name.value != "pagination":
            return
        value = node.value
        if isinstance(value, VariableNode):
            raw = self.variables.get(value.name.value)
            limit = raw.get("limit") if isinstance(raw, dict) else None
            self._check(limit)
            return
        if not isinstance(value, ObjectValueNode):
            return
        for field in value.fields:
            if field.name.value != "limit":
                continue
            if isinstance(field.value, IntValueNode):
                self._check(int(field.value.value))
            elif isinstance(field.value, VariableNode):
                self._check(self.variables.get(field.value.name.value))

    def _check(self, limit) -> None:
        if isinstance(limit, int) and limit > max_page_size():
            self.too_big.append(limit)


class PageSizeLimiter(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document: DocumentNode | None = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            visitor = _PaginationVisitor(ctx.variables or {})
            visit(document, visitor)
            if visitor.too_big:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        _("Page size %(limit)d is above the maximum of %(max)d.")
                        % {"limit": max(visitor.too_big), "max": max_page_size()},
                        extensions={"code": "page_size_too_large"},
                    )
                ]
        yield


def _original(error: GraphQLError) -> BaseException | None:
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


def is_expected(error: GraphQLError) -> bool:
    """Errors the client should see as they are: GraphQL's own and domain refusals."""
    original = _original(error)
    return original is None or isinstance(original, DomainError | GraphQLError)


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Give each unexpected error a reference id and log it without its message.

    Exception messages can carry personal data (a database error quoting a
    NIK), so only the type and the stack go to the log.
    """
    for error in errors:
        if is_expected(error):
            continue
        reference = uuid.uuid4().hex[:12]
        error.extensions = {**(error.extensions or {}), "reference": reference}
        original = _original(error)
        logger.error(
            "graphql unexpected error",
            extra={
                "reference": reference,
                "path": ".".join(str(p) for p in error.path or []),
                "error_type": type(original).__name__,
                "stack": "".join(traceback.format_tb(original.__traceback__)) if original else "",
            },
        )


class LaporMaskErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not is_expected(e))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        reference = (error.extensions or {}).get("reference", "-")
        return GraphQLError(
            message=_("Unexpected server error. Reference: %(reference)s")
            % {"reference": reference},
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "internal_error", "reference": reference},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = []
        for error in errors:
            original = _original(error)
            if isinstance(original, DomainError):
                processed.append(
                    GraphQLError(
                        message=str(original.message),
                        nodes=error.nodes,
                        source=error.source,
                        positions=error.positions,
                        path=error.path,
                        extensions={
                            "code": original.code,
                            "field": original.field,
                        },
                    )
                )
            elif self.should_mask_error(error):
                processed.append(self.anonymise_error(error))
            else:
                processed.append(error)
        return processed
