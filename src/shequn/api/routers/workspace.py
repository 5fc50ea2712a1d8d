"""GET /workspace: the workspace the token belongs to."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from shequn.tenancy.scope import require_tenant

router = Router(tags=["workspace"])


class WorkspaceOut(Schema):
    uid: UUID
    slug: str
    name: str
    time_zone: str
    default_language: str
    created_at: datetime


@router.get("/workspace", response=WorkspaceOut, summary="The token's workspace")
def get_workspace(request: HttpRequest) -> WorkspaceOut:
    ws = require_tenant()
    return WorkspaceOut(
        uid=ws.uid,
        slug=ws.slug,
        name=ws.name,
        time_zone=ws.time_zone,
        default_language=ws.default_language,
        created_at=ws.created_at,
    )
