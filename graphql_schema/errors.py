"""Typed errors for mutations: a stable code, the field it concerns, a translated message."""

from __future__ import annotations

import re

import strawberry

from backend.common.errors import DomainError, Problem


@strawberry.type(name="FieldError", description="One reason a mutation was refused.")
class FieldErrorType:
    code: str = strawberry.field(description="Stable machine-readable code, e.g. nik_duplicate.")
    field: str | None = strawberry.field(description="Input field it concerns, if any.")
    message: str = strawberry.field(description="Message in the user's language.")


@strawberry.type(name="Warning", description="Something worth checking; the change was made.")
class WarningType:
    code: str
    field: str | None
    message: str


_SNAKE = re.compile(r"_([a-z0-9])")


def camel(field: str | None) -> str | None:
    """A service's field name as GraphQL inputs spell it: ``device_name`` -> ``deviceName``."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), field) if field else field


def errors_from(exc: DomainError) -> list[FieldErrorType]:
    return [
        FieldErrorType(code=p.code, field=camel(p.field), message=p.render()) for p in exc.problems
    ]


def warnings_from(problems: list[Problem]) -> list[WarningType]:
    return [WarningType(code=p.code, field=camel(p.field), message=p.render()) for p in problems]
