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
import re
import traceback
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ObjectValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    value_from_ast_untyped,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import MaskErrors, SchemaExtension

from backend.common.errors import DomainError
from graphql_schema.fields import max_page_size

logger = logging.getLogger(__name__)


class _PaginationVisitor(Visitor):
    """Collects every page size and offset an operation asks for.

    Literals, variables and variable defaults all count; a limit above the
    maximum, a negative limit or offset, or a limit that is not a whole
    number is refused.
    """

    def __init__(self, variables: dict) -> None:
        super().__init__()
        self.variables = dict(variables or {})
        self.problems: list[GraphQLError] = []

    def enter_variable_definition(self, node: VariableDefinitionNode, *args) -> None:
        name = node.variable.name.value
        if name not in self.variables and node.default_value is not None:
            self.variables[name] = value_from_ast_untyped(node.default_value)

    def enter_argument(self, node: ArgumentNode, *args) -> None:
        name = node.name.value
        if name in ("limit", "offset"):  # fields with plain offset/limit arguments
            self._check(name, self._value(node.value))
        elif name == "pagination":
            value = self._value(node.value)
            if isinstance(value, dict):
                for key in ("limit", "offset"):
                    self._check(key, value.get(key))

    def _value(self, node: ValueNode):
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, ObjectValueNode):
            return {f.name.value: self._value(f.value) for f in node.fields}
        try:
            return value_from_ast_untyped(node, self.variables)
        except Exception:
            return None

    def _check(self, key: str, value) -> None:
        if value is None:
            return
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.problems.append(
                GraphQLError(
                    _("%(name)s must be a whole number, 0 or more.") % {"name": key},
                    extensions={"code": "invalid_pagination"},
                )
            )
        elif key == "limit" and value > max_page_size():
            self.problems.append(
                GraphQLError(
                    _("Page size %(limit)d is above the maximum of %(max)d.")
                    % {"limit": value, "max": max_page_size()},
                    extensions={"code": "page_size_too_large"},
                )
            )


class PageSizeLimiter(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document: DocumentNode | None = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            visitor = _PaginationVisitor(ctx.variables or {})
            visit(document, visitor)
            if visitor.problems:
                ctx.pre_execution_errors = visitor.problems[:1]
        yield


class _WidestSelection(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.widest = 0

    def enter_selection_set(self, node, *args) -> None:
        self.widest = max(self.widest, len(node.selections))


class SelectionLimiter(SchemaExtension):
    """Refuse a selection set wider than ``GRAPHQL_MAX_SELECTIONS`` before validation.

    graphql-core compares the fields of a selection set pair by pair (to find
    fields that cannot be merged), so hundreds of copies of one field cost
    seconds of CPU in validation alone, before any depth or alias rule can
    stop them. Counting is linear and runs first.
    """

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document: DocumentNode | None = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            visitor = _WidestSelection()
            visit(document, visitor)
            limit = settings.LAPOR_RT["GRAPHQL_MAX_SELECTIONS"]
            if visitor.widest > limit:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        _(
                            "Too many fields side by side: %(found)d in one selection "
                            "(at most %(max)d)."
                        )
                        % {"found": visitor.widest, "max": limit},
                        extensions={"code": "selection_too_wide"},
                    )
                ]
        yield


class FieldBudget(SchemaExtension):
    """Stop an operation that resolves more fields than one request may.

    Depth, alias and page-size limits bound each list, but their product can
    still be a very large answer (every alias walking a whole city). Counting
    resolved fields bounds the work of the whole request; once the budget is
    spent every further field fails fast with one clear error.
    """

    def __init__(self) -> None:
        super().__init__()
        self.remaining = settings.LAPOR_RT["GRAPHQL_MAX_FIELDS"]

    def resolve(self, _next, root, info, *args, **kwargs):
        self.remaining -= 1
        if self.remaining < 0:
            raise GraphQLError(
                _(
                    "This query asks for too much data at once (more than %(max)d fields); "
                    "ask for fewer fields or smaller pages."
                )
                % {"max": settings.LAPOR_RT["GRAPHQL_MAX_FIELDS"]},
                extensions={"code": "query_too_large"},
            )
        return _next(root, info, *args, **kwargs)


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


# GraphQL's own messages (validation, parsing, limits) come in English from
# graphql-core and Strawberry; these patterns give them in the user's language.
# A fourth element, when present, is the group holding the input field's name.
_GRAPHQL_MESSAGES: list[tuple] = [
    (
        re.compile(r"^(\d+) aliases found\. Allowed: (\d+)"),
        "too_many_aliases",
        lambda m: (
            _("Too many aliases: %(found)s (at most %(max)s).") % {"found": m[1], "max": m[2]}
        ),
    ),
    (
        re.compile(r"^'(.*)' exceeds maximum operation depth of (\d+)"),
        "query_too_deep",
        lambda m: _("The query is nested too deeply (at most %(max)s levels).") % {"max": m[2]},
    ),
    (
        re.compile(r"^Document contains more than (\d+) tokens"),
        "query_too_long",
        lambda m: _("The query is too long (at most %(max)s tokens).") % {"max": m[1]},
    ),
    (
        re.compile(r"^Syntax Error: (.*)"),
        "syntax_error",
        lambda m: _("The query is not valid GraphQL: %(detail)s") % {"detail": m[1]},
    ),
    (
        re.compile(r"^Cannot query field '(.*?)' on type '(.*?)'"),
        "unknown_field",
        lambda m: (
            _("There is no field '%(field)s' on type '%(type)s'.") % {"field": m[1], "type": m[2]}
        ),
    ),
    (
        re.compile(r"^Variable '\$(.*?)' of required type '(.*?)' was not provided"),
        "variable_required",
        lambda m: _("The variable '$%(name)s' is required.") % {"name": m[1]},
    ),
    (
        re.compile(r"^(Int|Float) cannot represent"),
        "invalid_number",
        lambda m: _("A number is out of range or not a number."),
    ),
    (
        re.compile(r"^Validation aborted"),
        "validation_aborted",
        lambda m: _(
            "The query has too many errors; checking stopped. Fix the errors above and "
            "send it again."
        ),
    ),
    (
        re.compile(
            r"^Variable '\$(\w+)' has invalid value: Expected value of type '.*?' "
            r"to include required field '(\w+)'"
        ),
        "required",
        lambda m: _("'%(field)s' is required.") % {"field": m[2]},
        2,
    ),
    (
        re.compile(r"^Variable '\$(\w+)' has invalid value: Expected a value of non-null type"),
        "variable_required",
        lambda m: _("The variable '$%(name)s' is required.") % {"name": m[1]},
    ),
    (
        re.compile(
            r"^Variable '\$(\w+)' has invalid value at [.\w\[\]]*?\.?(\w+)(?:\[\d+\])?: (.*)"
        ),
        "invalid_value",
        lambda m: (
            _("'%(field)s' is not valid: %(reason)s") % {"field": m[2], "reason": _reason(m[3])}
        ),
        2,
    ),
    (
        re.compile(r"^Variable '\$(\w+)' has invalid value: .*Field '(\w+)' is not defined"),
        "unknown_field",
        lambda m: _("There is no field '%(field)s' in this input.") % {"field": m[2]},
        2,
    ),
    (
        re.compile(r"^Variable '\$(\w+)' has invalid"),
        "invalid_value",
        lambda m: _("The variable '$%(name)s' is not valid.") % {"name": m[1]},
    ),
    (
        re.compile(r"^Unknown argument '(\w+)' on field '(.*?)'"),
        "unknown_argument",
        lambda m: (
            _("The field '%(field)s' has no argument '%(name)s'.") % {"field": m[2], "name": m[1]}
        ),
    ),
    (
        re.compile(r"^Argument '[^']*?\((\w+):\)' of type '.*?' is required"),
        "argument_required",
        lambda m: _("The argument '%(name)s' is required.") % {"name": m[1]},
        1,
    ),
    (
        re.compile(r"^Field '\w+\.(\w+)' of required type '.*?' was not provided"),
        "required",
        lambda m: _("'%(field)s' is required.") % {"field": m[1]},
        1,
    ),
    (
        re.compile(r"^Cannot spread fragment '(\w+)' within itself"),
        "fragment_cycle",
        lambda m: _("The fragment '%(name)s' includes itself.") % {"name": m[1]},
    ),
]


def _reason(detail: str) -> str:
    """Why a variable's value was refused, in the user's language (without echoing it)."""
    if detail.startswith(("Int cannot represent", "Float cannot represent")):
        return _("a number out of range or not a number.")
    if "does not exist in" in detail and "enum" in detail:
        return _("not one of the allowed choices.")
    if detail.startswith("Value cannot represent a Date"):
        return _("not a date (write it as YYYY-MM-DD).")
    if detail.startswith("Value cannot represent a Time"):
        return _("not a time (write it as HH:MM, 00:00 to 23:59).")
    if detail.startswith("Value cannot represent a DateTime"):
        return _("not a date and time.")
    if detail.startswith(("String cannot represent", "ID cannot represent")):
        return _("not text.")
    if detail.startswith("Boolean cannot represent"):
        return _("not true or false.")
    return _("not a valid value.")


def translate_graphql_message(message: str) -> tuple[str, str | None]:
    """GraphQL's own English message in the user's language, with a stable code."""
    message, code, _field = translate_graphql_error(message)
    return message, code


def translate_graphql_error(message: str) -> tuple[str, str | None, str | None]:
    """As ``translate_graphql_message``, with the input field it names (camelCase), if any."""
    for pattern, code, render, *field_group in _GRAPHQL_MESSAGES:
        match = pattern.match(message)
        if match:
            field = match[field_group[0]] if field_group else None
            return render(match), code, field
    return message, None, None


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
                translated, code, field = translate_graphql_error(error.message)
                if code is not None:
                    extensions = {**(error.extensions or {}), "code": code}
                    if field:
                        extensions["field"] = field
                    error = GraphQLError(
                        message=translated,
                        nodes=error.nodes,
                        source=error.source,
                        positions=error.positions,
                        path=error.path,
                        extensions=extensions,
                    )
                processed.append(error)
        return processed
