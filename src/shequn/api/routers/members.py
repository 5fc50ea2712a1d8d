"""GET /members: who belongs to the workspace, with which role (admin scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shequn.api.auth import admin_scope
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.tenancy import queries as tenancy_queries
from shequn.tenancy.models import Membership
from shequn.tenancy.scope import require_tenant

router = Router(tags=["members"])


class MemberOut(Schema):
    uid: UUID
    user_uid: UUID
    email: str
    display_name: str
    role: str
    joined_at: datetime


def _member(membership: Membership) -> MemberOut:
    user = membership.user
    return MemberOut(
        uid=membership.uid,
        user_uid=user.uid,
        email=user.email,
        display_name=user.display_name,
        role=membership.role,
        joined_at=membership.created_at,
    )


@router.get("/members", response=page_schema(MemberOut), summary="Members of the workspace")
@admin_scope
def list_members(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    members = tenancy_queries.members_of(require_tenant())
    return paginate(members, page, order_by="created_at", serialize=_member)
