"""/api/v1/personas and /api/v1/staff: personas, the WeCom staff behind them, load and sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.channels import queries as channel_queries
from shequn.channels.models import WeComCorp
from shequn.personas import queries, services
from shequn.personas.models import Persona, StaffAccount
from shequn.tenancy.access import access_by_uid

router = Router(tags=["personas"])


class Snippet(Schema):
    title: str = Field("", max_length=100)
    text: str = Field(..., max_length=2000)


class PersonaIn(Schema):
    name: str = Field(..., max_length=100)
    display_name: str = Field("", max_length=100)
    avatar_url: str = Field("", max_length=500)
    tone_guide: str = Field("", max_length=4000)
    content_pack: list[Snippet] = Field(default_factory=list, max_length=50)
    default_capacity: int = Field(5000, ge=1, le=200_000)


class PersonaPatch(Schema):
    name: str | None = Field(None, max_length=100)
    display_name: str | None = Field(None, max_length=100)
    avatar_url: str | None = Field(None, max_length=500)
    tone_guide: str | None = Field(None, max_length=4000)
    content_pack: list[Snippet] | None = Field(None, max_length=50)
    default_capacity: int | None = Field(None, ge=1, le=200_000)


class PersonaOut(Schema):
    uid: UUID
    name: str
    display_name: str
    avatar_url: str
    has_avatar_upload: bool
    tone_guide: str
    content_pack: list[Snippet]
    default_capacity: int
    created_at: datetime
    updated_at: datetime


class StaffOut(Schema):
    uid: UUID
    corp: UUID
    userid: str
    name: str
    persona: UUID | None
    capacity: int | None = Field(None, description="Own capacity; null = the persona's default")
    effective_capacity: int
    customers: int = Field(..., description="Customers now")
    customer_contact_enabled: bool
    active: bool
    available: bool = Field(..., description="Would receive new customers now")
    synced_at: datetime | None


class StaffPatch(Schema):
    persona: UUID | None = Field(None, description="Persona uid; null removes it")
    capacity: int | None = Field(None, ge=1, le=200_000, description="null = persona default")
    active: bool | None = None


class SyncIn(Schema):
    corp: UUID | None = Field(None, description="One WeCom corp; empty = every connected one")


class SyncOut(Schema):
    queued: list[UUID]


def _persona_out(persona: Persona) -> PersonaOut:
    return PersonaOut(
        uid=persona.uid,
        name=persona.name,
        display_name=persona.display_name,
        avatar_url=persona.avatar_url,
        has_avatar_upload=bool(persona.avatar),
        tone_guide=persona.tone_guide,
        content_pack=[Snippet(**s) for s in persona.content_pack],
        default_capacity=persona.default_capacity,
        created_at=persona.created_at,
        updated_at=persona.updated_at,
    )


def _staff_out(staff: StaffAccount) -> StaffOut:
    current = getattr(staff, "current_load", None)
    customers = queries.load(staff) if current is None else int(current)
    return StaffOut(
        uid=staff.uid,
        corp=staff.corp.uid,
        userid=staff.userid,
        name=staff.name,
        persona=staff.persona.uid if staff.persona else None,
        capacity=staff.capacity,
        effective_capacity=staff.effective_capacity,
        customers=customers,
        customer_contact_enabled=staff.customer_contact_enabled,
        active=staff.active,
        available=staff.routable and customers < staff.effective_capacity,
        synced_at=staff.synced_at,
    )


def _invalid(exc: services.PersonaInvalid) -> ApiError:
    return ApiError(422, "invalid_persona", str(exc), {"errors": exc.errors})


@router.get("/personas", response=page_schema(PersonaOut), summary="Personas")
def list_personas(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.personas(), page, order_by="name", serialize=_persona_out)


@router.post("/personas", response={201: PersonaOut}, summary="Create a persona")
def create_persona(request: HttpRequest, body: PersonaIn) -> tuple[int, PersonaOut]:
    fields = body.model_dump()
    try:
        persona = services.create_persona(fields.pop("name"), **fields)
    except services.PersonaInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _persona_out(persona)


@router.get("/personas/{uid}", response=PersonaOut, summary="One persona")
def get_persona(request: HttpRequest, uid: str) -> PersonaOut:
    return _persona_out(access_by_uid(Persona, uid))


@router.patch("/personas/{uid}", response=PersonaOut, summary="Change a persona")
def update_persona(request: HttpRequest, uid: str, body: PersonaPatch) -> PersonaOut:
    persona = access_by_uid(Persona, uid)
    try:
        services.update_persona(persona, **body.model_dump(exclude_unset=True))
    except services.PersonaInvalid as exc:
        raise _invalid(exc) from exc
    return _persona_out(persona)


@router.delete("/personas/{uid}", response={204: None}, summary="Delete a persona")
def delete_persona(request: HttpRequest, uid: str) -> tuple[int, None]:
    services.delete_persona(access_by_uid(Persona, uid))
    return 204, None


@router.get(
    "/personas/{uid}/available",
    response=list[StaffOut],
    summary="Staff accounts that can take new customers, next in line first",
)
def available(request: HttpRequest, uid: str) -> list[StaffOut]:
    return [_staff_out(s) for s in queries.available_staff(access_by_uid(Persona, uid))]


@router.get("/staff", response=page_schema(StaffOut), summary="Staff accounts")
def list_staff(
    request: HttpRequest, page: Query[PageParams], persona: UUID | None = None
) -> dict[str, Any]:
    found = queries.staff_accounts(persona=access_by_uid(Persona, persona) if persona else None)
    return paginate(found, page, order_by="created_at", serialize=_staff_out)


@router.post("/staff/sync", response={202: SyncOut}, summary="Sync staff from WeCom (background)")
def sync(request: HttpRequest, body: SyncIn) -> tuple[int, SyncOut]:
    if body.corp is not None:
        corps = [access_by_uid(WeComCorp, body.corp)]
    else:
        corps = list(channel_queries.wecom_corps().filter(disconnected_at__isnull=True))
    for corp in corps:
        services.request_staff_sync(corp)
    return 202, SyncOut(queued=[c.uid for c in corps])


@router.get("/staff/{uid}", response=StaffOut, summary="One staff account")
def get_staff(request: HttpRequest, uid: str) -> StaffOut:
    return _staff_out(access_by_uid(StaffAccount, uid))


@router.patch("/staff/{uid}", response=StaffOut, summary="Assign a persona, set capacity, pause")
def update_staff(request: HttpRequest, uid: str, body: StaffPatch) -> StaffOut:
    staff = access_by_uid(StaffAccount, uid)
    changes: dict[str, Any] = {}
    given = body.model_fields_set
    if "persona" in given:
        changes["persona"] = access_by_uid(Persona, body.persona) if body.persona else None
    if "capacity" in given:
        changes["capacity"] = body.capacity
    if "active" in given and body.active is not None:
        changes["active"] = body.active
    try:
        services.update_staff(staff, **changes)
    except services.PersonaInvalid as exc:
        raise _invalid(exc) from exc
    return _staff_out(staff)
