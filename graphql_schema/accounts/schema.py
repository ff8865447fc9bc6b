from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.accounts import services
from backend.accounts.models import ApiToken, RoleAssignment
from backend.common.errors import Code, DomainError
from graphql_schema.accounts.types import (
    MeType,
    RoleAssignmentType,
    TokenCreatePayload,
    TokenRevokePayload,
)
from graphql_schema.errors import errors_from
from graphql_schema.fields import record_id
from graphql_schema.permissions import IsAuthenticated, actor_of


@strawberry.type
class AccountsQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="The caller and roles.")
    def me(self, info: Info) -> MeType:
        user = actor_of(info)
        assignments = RoleAssignment.objects.filter(user=user, is_active=True).select_related(
            "rt__kelurahan", "kelurahan", "kecamatan", "kota"
        )
        roles = []
        for a in assignments:
            region = a.region
            name = f"{region} {region.kelurahan.name}" if a.rt_id else str(region)
            roles.append(RoleAssignmentType(role=a.role, region_code=region.code, region_name=name))
        return MeType(
            username=user.get_username(),
            full_name=user.get_full_name(),
            language=user.language,
            roles=roles,
        )


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        description=(
            "Log in from the phone app: exchange username and password for a device token. "
            "Repeated failures lock the account for a while."
        )
    )
    def token_create(
        self, info: Info, username: str, password: str, device_name: str
    ) -> TokenCreatePayload:
        try:
            token, raw = services.token_login(
                request=info.context.request,
                username=username,
                password=password,
                device_name=device_name,
            )
        except DomainError as exc:
            return TokenCreatePayload(token=None, expires_at=None, errors=errors_from(exc))
        return TokenCreatePayload(token=raw, expires_at=token.expires_at, errors=[])

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Revoke one of the caller's tokens (by id), or the token of this request.",
    )
    def token_revoke(self, info: Info, id: strawberry.ID | None = None) -> TokenRevokePayload:
        actor = actor_of(info)
        request = info.context.request
        try:
            if id is None:
                token = getattr(request, "api_token", None)
                if token is None:
                    raise DomainError.not_found(field="id")
            else:
                pk = record_id(id)
                token = ApiToken.objects.filter(pk=pk).first() if pk is not None else None
                if token is None:
                    raise DomainError.not_found(field="id")
            services.token_revoke(actor=actor, token=token)
        except DomainError as exc:
            if exc.code == Code.NOT_FOUND:
                # Someone else's token and no token at all answer alike.
                exc = DomainError.not_found(field="id")
            return TokenRevokePayload(revoked=False, errors=errors_from(exc))
        return TokenRevokePayload(revoked=True, errors=[])
