"""/api/v1: contacts (list, get, update, undo a merge), tags (CRUD, bulk tag and untag),
attribute definitions (CRUD) and follower sync runs (start, status)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.channels import queries as channel_queries
from shequn.contacts import queries, services
from shequn.contacts.follower_sync import sync_run_label
from shequn.contacts.models import AttributeDefinition, Contact, ContactMerge, SyncRun, Tag
from shequn.tenancy.access import access_by_uid

router = Router(tags=["contacts"])


class ContactFilters(Schema):
    q: str = Field("", max_length=100, description="Part of the name, nickname or remark")
    tag: UUID | None = Field(None, description="A tag's uid")
    channel: str = Field("", max_length=80, description="`oa`, `wecom`, or `<kind>:<uid>`")
    lifecycle: str = Field("", max_length=20)


class ContactOut(Schema):
    uid: UUID
    display_name: str
    nickname: str
    remark: str
    gender: str
    region: str
    language: str
    lifecycle_stage: str
    followed_at: datetime | None
    follow_scene: str
    first_touch_channel: str
    first_touch_scene: str
    first_touch_at: datetime | None
    last_touch_channel: str
    last_touch_scene: str
    last_touch_at: datetime | None
    created_at: datetime


class ContactDetailOut(ContactOut):
    identities: list[dict[str, str]]
    tags: list[dict[str, str]]
    attributes: dict[str, Any]
    merges: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class ContactIn(Schema):
    display_name: str | None = Field(None, max_length=200)
    nickname: str | None = Field(None, max_length=200)
    remark: str | None = Field(None, max_length=200)
    gender: str | None = Field(None, max_length=10)
    region: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=20)
    lifecycle_stage: str | None = Field(None, max_length=20)
    attributes: dict[str, Any] | None = Field(None, description="key → value; null clears")


def _fields(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in ContactOut.model_fields}


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is not None and not isinstance(value, str | int | float | bool):
        return str(value)
    return value


def _detail(contact: Contact) -> ContactDetailOut:
    attributes: dict[str, Any] = {}
    for definition, value, months in queries.attribute_values(contact):
        if value is not None:
            attributes[definition.key] = _json(value)
            if months is not None:
                attributes[f"{definition.key}__age_months"] = months
    return ContactDetailOut(
        **_fields(contact),
        identities=[{"kind": i.kind, "channel": i.channel_ref} for i in contact.identities.all()],
        tags=[{"uid": str(t.uid), "name": t.name} for t in queries.tags_of(contact)],
        attributes=attributes,
        merges=[
            {
                "uid": str(m.uid),
                "reason": m.reason,
                "merged_at": m.merged_at.isoformat(),
                "undone": m.undone_at is not None,
            }
            for m in queries.merges_of(contact)
        ],
        timeline=[
            {
                "kind": e.kind,
                "channel": e.channel_ref,
                "occurred_at": e.occurred_at.isoformat(),
                "data": e.data,
            }
            for e in queries.timeline(contact)[:100]
        ],
    )


@router.get("/contacts", response=page_schema(ContactOut), summary="Contacts")
def list_contacts(
    request: HttpRequest, page: Query[PageParams], filters: Query[ContactFilters]
) -> dict[str, Any]:
    tag = access_by_uid(Tag, filters.tag) if filters.tag else None
    found = queries.search_contacts(
        q=filters.q, tag=tag, channel=filters.channel, lifecycle=filters.lifecycle
    )
    return paginate(
        found, page, order_by="-created_at", serialize=lambda c: ContactOut(**_fields(c))
    )


@router.get("/contacts/{uid}", response=ContactDetailOut, summary="One contact")
def get_contact(request: HttpRequest, uid: str) -> ContactDetailOut:
    return _detail(access_by_uid(Contact, uid, merged_into__isnull=True))


@router.patch("/contacts/{uid}", response=ContactDetailOut, summary="Update a contact")
def update_contact(
    request: HttpRequest, uid: str, body: Body[ContactIn | None] = None
) -> ContactDetailOut:
    contact = access_by_uid(Contact, uid, merged_into__isnull=True)
    if body is None:
        return _detail(contact)
    profile = body.dict(exclude={"attributes"}, exclude_none=True)
    try:
        services.update_profile(contact, **profile)
        for key, value in (body.attributes or {}).items():
            services.set_attribute(contact, key, value)
    except ValueError as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc
    return _detail(contact)


@router.post("/contact-merges/{uid}/undo", response=ContactDetailOut, summary="Undo a merge")
def undo_merge(request: HttpRequest, uid: str) -> ContactDetailOut:
    merge = access_by_uid(ContactMerge, uid)
    try:
        restored = services.unmerge(merge)
    except services.UnmergeError as exc:
        raise ApiError(409, "already_undone", str(exc)) from exc
    return _detail(restored)


# -- tags -----------------------------------------------------------------------------------


class TagOut(Schema):
    uid: UUID
    name: str
    member_count: int
    mirrors: list[dict[str, Any]]


class TagIn(Schema):
    name: str = Field(..., max_length=100)


class MembersIn(Schema):
    contact_uids: list[UUID] = Field(..., max_length=10_000)


def _tag(tag: Tag) -> TagOut:
    count = getattr(tag, "member_count", None)
    return TagOut(
        uid=tag.uid,
        name=tag.name,
        member_count=count if count is not None else queries.contacts_with_tag(tag).count(),
        mirrors=[
            {"channel": m.channel_ref, "status": m.status, "error_code": m.error_code}
            for m in queries.tag_mirrors(tag)
        ],
    )


def _limit(exc: Exception) -> ApiError:
    return ApiError(422, "tag_limit", str(exc))


@router.get("/tags", response=page_schema(TagOut), summary="Tags")
def list_tags(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.tags_with_counts(), page, order_by="name", serialize=_tag)


@router.post("/tags", response={201: TagOut}, summary="Create a tag")
def create_tag(request: HttpRequest, body: TagIn) -> tuple[int, TagOut]:
    try:
        return 201, _tag(services.create_tag(body.name))
    except services.TagLimitError as exc:
        raise _limit(exc) from exc


@router.patch("/tags/{uid}", response=TagOut, summary="Rename a tag")
def rename_tag(request: HttpRequest, uid: str, body: Body[TagIn | None] = None) -> TagOut:
    tag = access_by_uid(Tag, uid)
    if body is None:
        raise ApiError(422, "validation_error", "name: required.")
    try:
        return _tag(services.rename_tag(tag, body.name))
    except services.TagLimitError as exc:
        raise _limit(exc) from exc


@router.delete("/tags/{uid}", response={204: None}, summary="Delete a tag")
def delete_tag(request: HttpRequest, uid: str) -> tuple[int, None]:
    services.delete_tag(access_by_uid(Tag, uid))
    return 204, None


def _contacts(uids: list[UUID]) -> list[Contact]:
    found = list(queries.contacts().filter(uid__in=uids))
    if len(found) != len(set(uids)):
        raise ApiError(404, "not_found", "One or more contacts do not exist.")
    return found


@router.post("/tags/{uid}/members", response=TagOut, summary="Tag contacts (bulk)")
def tag_members(request: HttpRequest, uid: str, body: Body[MembersIn | None] = None) -> TagOut:
    tag = access_by_uid(Tag, uid)
    try:
        services.tag_contacts(tag, _contacts(body.contact_uids if body else []))
    except services.TagLimitError as exc:
        raise _limit(exc) from exc
    return _tag(tag)


@router.post("/tags/{uid}/members/remove", response=TagOut, summary="Untag contacts (bulk)")
def untag_members(request: HttpRequest, uid: str, body: Body[MembersIn | None] = None) -> TagOut:
    tag = access_by_uid(Tag, uid)
    services.untag_contacts(tag, _contacts(body.contact_uids if body else []))
    return _tag(tag)


# -- attribute definitions ------------------------------------------------------------------


class DefinitionOut(Schema):
    uid: UUID
    key: str
    label: str
    value_type: str
    choices: list[str]
    derive_age_months: bool


class DefinitionIn(Schema):
    key: str = Field("", max_length=60)
    label: str = Field(..., max_length=100)
    value_type: str = Field(..., max_length=10)
    choices: list[str] = Field(default_factory=list, max_length=100)
    derive_age_months: bool = False


class DefinitionPatch(Schema):
    label: str | None = Field(None, max_length=100)
    choices: list[str] | None = Field(None, max_length=100)
    derive_age_months: bool | None = None


def _definition(d: AttributeDefinition) -> DefinitionOut:
    return DefinitionOut(
        uid=d.uid,
        key=d.key,
        label=d.label,
        value_type=d.value_type,
        choices=list(d.choices),
        derive_age_months=d.derive_age_months,
    )


@router.get(
    "/attribute-definitions", response=page_schema(DefinitionOut), summary="Custom attributes"
)
def list_definitions(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        queries.attribute_definitions(), page, order_by="created_at", serialize=_definition
    )


@router.post("/attribute-definitions", response={201: DefinitionOut}, summary="Define an attribute")
def create_definition(request: HttpRequest, body: DefinitionIn) -> tuple[int, DefinitionOut]:
    try:
        return 201, _definition(services.define_attribute(**body.dict()))
    except services.AttributeValueError as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc


@router.patch("/attribute-definitions/{uid}", response=DefinitionOut, summary="Change an attribute")
def update_definition(
    request: HttpRequest, uid: str, body: Body[DefinitionPatch | None] = None
) -> DefinitionOut:
    definition = access_by_uid(AttributeDefinition, uid)
    try:
        values = body.dict(exclude_none=True) if body else {}
        return _definition(services.update_attribute_definition(definition, **values))
    except services.AttributeValueError as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc


@router.delete("/attribute-definitions/{uid}", response={204: None}, summary="Delete an attribute")
def delete_definition(request: HttpRequest, uid: str) -> tuple[int, None]:
    services.delete_attribute_definition(access_by_uid(AttributeDefinition, uid))
    return 204, None


# -- follower sync runs ---------------------------------------------------------------------


class SyncRunOut(Schema):
    uid: UUID
    account_uid: UUID
    status: str
    imported: int
    total: int
    percent: int
    error: str
    started_at: datetime
    finished_at: datetime | None


class SyncRunIn(Schema):
    # Optional so another tenant's uid answers 404 before any body check.
    account_uid: UUID | None = None


def _run(run: SyncRun) -> SyncRunOut:
    label = sync_run_label(run)
    return SyncRunOut(
        uid=run.uid,
        account_uid=run.account.uid,
        status=label["status"],
        imported=label["imported"],
        total=label["total"],
        percent=label["percent"],
        error=label["error"],
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


@router.get("/sync-runs", response=page_schema(SyncRunOut), summary="Follower sync runs")
def list_runs(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    runs = queries.sync_runs().select_related("account")
    return paginate(runs, page, order_by="-started_at", serialize=_run)


@router.post("/sync-runs", response={202: SyncRunOut}, summary="Start (or resume) a sync")
def start_run(request: HttpRequest, body: Body[SyncRunIn | None] = None) -> tuple[int, SyncRunOut]:
    account_uid = body.account_uid if body else None
    account = (
        channel_queries.official_accounts().filter(uid=account_uid).first() if account_uid else None
    )
    if account is None:
        raise ApiError(404, "not_found", "No connected official account with this uid.")
    return 202, _run(services.start_follower_sync(account))


@router.get("/sync-runs/{uid}", response=SyncRunOut, summary="A sync run's progress")
def get_run(request: HttpRequest, uid: str) -> SyncRunOut:
    return _run(access_by_uid(SyncRun, uid))
