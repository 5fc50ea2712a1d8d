"""/api/v1/segments: saved segments, their live count and their members (cursor paginated)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.contacts.models import Contact
from shequn.segments import queries, services
from shequn.segments.models import Segment
from shequn.segments.rules import RuleInvalid
from shequn.tenancy.access import access_by_uid

router = Router(tags=["segments"])


class SegmentIn(Schema):
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=300)
    rules: dict[str, Any] = Field(..., description="Rule tree: see the segments README")


class SegmentPatch(Schema):
    name: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=300)
    rules: dict[str, Any] | None = None


class RulesIn(Schema):
    rules: dict[str, Any]


class SegmentOut(Schema):
    uid: UUID
    name: str
    description: str
    rules: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CountOut(Schema):
    count: int


class MemberOut(Schema):
    uid: UUID
    display_name: str
    first_touch_channel: str
    last_touch_at: datetime | None


def _out(segment: Segment) -> SegmentOut:
    return SegmentOut(**{name: getattr(segment, name) for name in SegmentOut.model_fields})


def _invalid(exc: RuleInvalid) -> ApiError:
    return ApiError(422, "invalid_segment", str(exc), {"errors": exc.errors})


@router.get("/segments", response=page_schema(SegmentOut), summary="Segments")
def list_segments(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.segments(), page, order_by="-created_at", serialize=_out)


@router.post("/segments", response={201: SegmentOut}, summary="Create a segment")
def create_segment(request: HttpRequest, body: SegmentIn) -> tuple[int, SegmentOut]:
    try:
        segment = services.create_segment(body.name, body.rules, body.description)
    except RuleInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _out(segment)


@router.post("/segments/preview", response=CountOut, summary="Count a rule tree (not saved)")
def preview(request: HttpRequest, body: RulesIn) -> CountOut:
    try:
        return CountOut(count=queries.preview(body.rules))
    except RuleInvalid as exc:
        raise _invalid(exc) from exc


@router.get("/segments/{uid}", response=SegmentOut, summary="One segment")
def get_segment(request: HttpRequest, uid: str) -> SegmentOut:
    return _out(access_by_uid(Segment, uid))


@router.patch("/segments/{uid}", response=SegmentOut, summary="Change a segment")
def update_segment(request: HttpRequest, uid: str, body: SegmentPatch) -> SegmentOut:
    segment = access_by_uid(Segment, uid)
    try:
        services.update_segment(
            segment, name=body.name, rule_tree=body.rules, description=body.description
        )
    except RuleInvalid as exc:
        raise _invalid(exc) from exc
    return _out(segment)


@router.delete("/segments/{uid}", response={204: None}, summary="Delete a segment")
def delete_segment(request: HttpRequest, uid: str) -> tuple[int, None]:
    services.delete_segment(access_by_uid(Segment, uid))
    return 204, None


@router.get("/segments/{uid}/count", response=CountOut, summary="Members now")
def count(request: HttpRequest, uid: str) -> CountOut:
    return CountOut(count=queries.count(access_by_uid(Segment, uid)))


def _member(contact: Contact) -> MemberOut:
    return MemberOut(**{name: getattr(contact, name) for name in MemberOut.model_fields})


@router.get("/segments/{uid}/members", response=page_schema(MemberOut), summary="Members now")
def members(request: HttpRequest, uid: str, page: Query[PageParams]) -> dict[str, Any]:
    segment = access_by_uid(Segment, uid)
    return paginate(
        queries.member_contacts(segment), page, order_by="-created_at", serialize=_member
    )
