"""/api/v1 pools and groups: group pools, their join code, groups with filters and rosters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.channels.models import WeComCorp
from shequn.community import queries, services
from shequn.community.models import WECOM_GROUP_CAP, GroupPool
from shequn.contacts.models import CustomerGroup, GroupMembership
from shequn.personas.models import Persona
from shequn.segments.models import Segment
from shequn.tenancy.access import access_by_uid

router = Router(tags=["community"])


class PoolIn(Schema):
    name: str = Field(..., max_length=100)
    corp: UUID = Field(..., description="uid of the WeCom corp")
    purpose: GroupPool.Purpose = GroupPool.Purpose.COMMUNICATION
    segment: UUID | None = None
    priority: int = 100
    ends_on: date | None = None
    next_pool: UUID | None = None
    max_members: int = Field(WECOM_GROUP_CAP, ge=2, le=WECOM_GROUP_CAP)
    room_base_name: str = Field("", max_length=40)
    group_welcome: str = Field("", max_length=2000)
    invite_text: str = Field("", max_length=1000)
    active: bool = True


class PoolPatch(Schema):
    name: str | None = Field(None, max_length=100)
    purpose: GroupPool.Purpose | None = None
    segment: UUID | None = None
    priority: int | None = None
    ends_on: date | None = None
    next_pool: UUID | None = None
    max_members: int | None = Field(None, ge=2, le=WECOM_GROUP_CAP)
    room_base_name: str | None = Field(None, max_length=40)
    group_welcome: str | None = Field(None, max_length=2000)
    invite_text: str | None = Field(None, max_length=1000)
    active: bool | None = None


class PoolOut(Schema):
    uid: UUID
    name: str
    purpose: str
    segment: UUID | None
    priority: int
    ends_on: date | None
    next_pool: UUID | None
    max_members: int
    room_base_name: str
    group_welcome: str
    group_welcome_template_id: str = Field(
        "", description="WeCom group welcome template kept for group_welcome (set after save)"
    )
    group_welcome_error: str = ""
    active: bool
    join_code: str | None
    groups: int
    members: int
    created_at: datetime


class GroupOut(Schema):
    uid: UUID
    chat_id: str
    name: str
    owner_userid: str
    member_count: int
    pool: UUID | None
    created_at: datetime
    dismissed_at: datetime | None


class MemberOut(Schema):
    member_id: str
    name: str
    member_type: int | None
    contact: UUID | None
    join_scene: int | None
    inviter_userid: str
    state: str
    joined_at: datetime
    left_at: datetime | None


class GroupAdd(Schema):
    group: UUID


def _pool_out(pool: GroupPool) -> PoolOut:
    way = queries.join_way(pool)
    members = queries.pool_groups(pool)
    live = [m.group for m in members if m.group.dismissed_at is None]
    return PoolOut(
        uid=pool.uid,
        name=pool.name,
        purpose=pool.purpose,
        segment=pool.segment.uid if pool.segment else None,
        priority=pool.priority,
        ends_on=pool.ends_on,
        next_pool=pool.next_pool.uid if pool.next_pool else None,
        max_members=pool.max_members,
        room_base_name=pool.room_base_name,
        group_welcome=pool.group_welcome,
        group_welcome_template_id=pool.group_welcome_template_id,
        group_welcome_error=pool.group_welcome_error,
        active=pool.active,
        join_code=way.qr_code if way else None,
        groups=len(live),
        members=sum(g.member_count for g in live),
        created_at=pool.created_at,
    )


def _group_out(group: CustomerGroup) -> GroupOut:
    pool = queries.pool_of_group(group)
    return GroupOut(
        uid=group.uid,
        chat_id=group.chat_id,
        name=group.name,
        owner_userid=group.owner_userid,
        member_count=group.member_count,
        pool=pool.uid if pool else None,
        created_at=group.created_at,
        dismissed_at=group.dismissed_at,
    )


def _member_out(m: GroupMembership) -> MemberOut:
    return MemberOut(
        member_id=m.member_id,
        name=m.name,
        member_type=m.member_type,
        contact=m.contact.uid if m.contact else None,
        join_scene=m.join_scene,
        inviter_userid=m.inviter_userid,
        state=m.state,
        joined_at=m.joined_at,
        left_at=m.left_at,
    )


def _refs(body: dict[str, Any]) -> dict[str, Any]:
    """uids of related objects → objects of this workspace (404 otherwise)."""
    if "segment" in body:
        body["segment"] = access_by_uid(Segment, str(body["segment"])) if body["segment"] else None
    if "next_pool" in body:
        body["next_pool"] = (
            access_by_uid(GroupPool, str(body["next_pool"])) if body["next_pool"] else None
        )
    return body


def _invalid(exc: services.PoolInvalid) -> ApiError:
    return ApiError(422, "invalid_pool", str(exc))


@router.get("/pools", response=page_schema(PoolOut), summary="Group pools")
def list_pools(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.pools(), page, order_by="-created_at", serialize=_pool_out)


@router.post("/pools", response={201: PoolOut}, summary="Create a group pool")
def create_pool(request: HttpRequest, body: PoolIn) -> tuple[int, PoolOut]:
    data = _refs(body.dict())
    corp = access_by_uid(WeComCorp, str(data.pop("corp")))
    try:
        pool = services.create_pool(corp=corp, name=data.pop("name"), **data)
    except services.PoolInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _pool_out(pool)


@router.get("/pools/{uid}", response=PoolOut, summary="One group pool")
def get_pool(request: HttpRequest, uid: str) -> PoolOut:
    return _pool_out(access_by_uid(GroupPool, uid))


@router.patch("/pools/{uid}", response=PoolOut, summary="Change a group pool")
def update_pool(request: HttpRequest, uid: str, body: PoolPatch) -> PoolOut:
    pool = access_by_uid(GroupPool, uid)
    data = _refs(body.dict(exclude_unset=True))
    try:
        services.update_pool(pool, **data)
    except services.PoolInvalid as exc:
        raise _invalid(exc) from exc
    return _pool_out(pool)


@router.post("/pools/{uid}/groups", response={201: GroupOut}, summary="Add a group to a pool")
def add_group(request: HttpRequest, uid: str, body: GroupAdd) -> tuple[int, GroupOut]:
    pool = access_by_uid(GroupPool, uid)
    group = access_by_uid(CustomerGroup, str(body.group))
    try:
        services.add_group_to_pool(pool, group)
    except services.PoolInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _group_out(group)


@router.get("/groups", response=page_schema(GroupOut), summary="Customer groups")
def list_groups(
    request: HttpRequest,
    page: Query[PageParams],
    pool: UUID | None = None,
    owner: str = "",
    persona: UUID | None = None,
    q: str = "",
) -> dict[str, Any]:
    staff = queries.persona_staff(access_by_uid(Persona, str(persona))) if persona else None
    found = queries.groups(
        pool=access_by_uid(GroupPool, str(pool)) if pool else None,
        owner=owner,
        staff=staff,
        q=q,
    )
    return paginate(found, page, order_by="-created_at", serialize=_group_out)


@router.get("/groups/{uid}", response=GroupOut, summary="One customer group")
def get_group(request: HttpRequest, uid: str) -> GroupOut:
    return _group_out(access_by_uid(CustomerGroup, uid))


@router.get("/groups/{uid}/members", response=page_schema(MemberOut), summary="Group roster")
def group_members(request: HttpRequest, uid: str, page: Query[PageParams]) -> dict[str, Any]:
    group = access_by_uid(CustomerGroup, uid)
    return paginate(queries.roster(group), page, order_by="-joined_at", serialize=_member_out)
