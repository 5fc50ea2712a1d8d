"""GET/POST /tokens and POST /tokens/{uid}/revoke: the workspace's API tokens (admin scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shequn.accounts import queries as account_queries
from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from shequn.api.auth import admin_scope
from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.tenancy.access import access_by_uid

router = Router(tags=["tokens"])


class TokenOut(Schema):
    uid: UUID
    name: str
    prefix: str = Field(description="Last characters of the token, to recognise it")
    scopes: list[str]
    created_by: str | None = Field(description="E-mail of the member who issued it")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["read", "write", "admin"]] = Field(min_length=1)


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The bearer value. Shown once; only a digest is stored.")


def _fields(token: ApiToken) -> dict[str, Any]:
    return {
        "uid": token.uid,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": list(token.scopes or []),
        "created_by": token.created_by.email if token.created_by else None,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def _token(token: ApiToken) -> TokenOut:
    return TokenOut(**_fields(token))


@router.get("/tokens", response=page_schema(TokenOut), summary="API tokens of the workspace")
@admin_scope
def list_tokens(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(account_queries.api_tokens(), page, order_by="-created_at", serialize=_token)


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Issue a token")
@admin_scope
def create_token(request: HttpRequest, payload: TokenIn) -> tuple[int, TokenCreatedOut]:
    token, raw = account_services.issue_api_token(
        payload.name.strip(), list(payload.scopes), by=None
    )
    return 201, TokenCreatedOut(**_fields(token), token=raw)


@router.post("/tokens/{uid}/revoke", response=TokenOut, summary="Revoke a token")
@admin_scope
def revoke_token(request: HttpRequest, uid: str) -> TokenOut:
    token = access_by_uid(ApiToken, uid)
    if token.revoked_at is not None:
        raise ApiError(409, "already_revoked", _("This token is already revoked."))
    account_services.revoke_api_token(token)
    return _token(token)
