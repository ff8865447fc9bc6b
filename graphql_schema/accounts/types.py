from __future__ import annotations

from datetime import datetime

import strawberry

from backend.accounts.roles import Role
from graphql_schema.errors import FieldErrorType

RoleEnum = strawberry.enum(Role, name="Role")


@strawberry.type(name="RoleAssignment")
class RoleAssignmentType:
    role: RoleEnum
    region_code: str
    region_name: str


@strawberry.type(name="Me")
class MeType:
    username: str
    full_name: str
    language: str
    roles: list[RoleAssignmentType]


@strawberry.type(name="TokenCreatePayload")
class TokenCreatePayload:
    token: str | None = strawberry.field(
        description="The API token; shown only now. Send it as 'Authorization: Bearer <token>'."
    )
    expires_at: datetime | None
    errors: list[FieldErrorType]


@strawberry.type(name="TokenRevokePayload")
class TokenRevokePayload:
    revoked: bool
    errors: list[FieldErrorType]
