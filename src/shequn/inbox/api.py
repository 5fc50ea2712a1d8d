"""/api/v1/inbox: conversations, their messages, replies, assignment, and auto-reply rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Body, Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.channels import queries as channel_queries
from shequn.inbox import queries, rules, services
from shequn.inbox.models import AutoReplyRule, Conversation, Message
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.models import Membership
from shequn.tenancy.scope import require_tenant

router = Router(tags=["inbox"])


class ConversationFilters(Schema):
    assigned: str = Field("", description="`unassigned`, or a member's user uid")
    q: str = Field("", max_length=100, description="Part of the contact's name or a message")


class ConversationOut(Schema):
    uid: UUID
    account_uid: UUID
    contact_uid: UUID
    contact_name: str
    openid: str
    assignee_uid: UUID | None
    unread_count: int
    last_message_at: datetime | None
    last_message_preview: str
    messages_left: int
    window_open_until: datetime | None


class MessageOut(Schema):
    uid: UUID
    direction: str
    kind: str
    text: str
    media_id: str
    delivery: str
    error_code: int | None
    error_message: str
    created_at: datetime


class ReplyIn(Schema):
    # Optional in the schema so another tenant's uid answers 404 before any body check.
    text: str = Field("", max_length=2000)


class AssignIn(Schema):
    user_uid: UUID | None = None


class RuleIn(Schema):
    account_uid: UUID | None = None
    name: str | None = None
    trigger: str | None = None
    match_kind: str | None = None
    patterns: str | None = None
    priority: int | None = None
    enabled: bool | None = None
    reply_kind: str | None = None
    text: str | None = None
    media_id: str | None = None
    articles: list[dict[str, str]] | None = None
    mp_appid: str | None = None
    mp_pagepath: str | None = None
    mp_title: str | None = None
    mp_thumb_media_id: str | None = None


class RuleOut(Schema):
    uid: UUID
    account_uid: UUID
    name: str
    trigger: str
    match_kind: str
    patterns: str
    priority: int
    enabled: bool
    reply_kind: str
    text: str
    media_id: str
    articles: list[dict[str, str]]
    mp_appid: str
    mp_pagepath: str
    mp_title: str
    mp_thumb_media_id: str


def _conversation(c: Conversation) -> ConversationOut:
    now = timezone.now()
    windows = services.windows_of(c)
    return ConversationOut(
        uid=c.uid,
        account_uid=c.account.uid,
        contact_uid=c.contact.uid,
        contact_name=c.contact.display_name,
        openid=c.openid,
        assignee_uid=c.assignee.uid if c.assignee is not None else None,
        unread_count=c.unread_count,
        last_message_at=c.last_message_at,
        last_message_preview=c.last_message_preview,
        messages_left=windows.messages_left(now),
        window_open_until=windows.open_until(now),
    )


def _message(m: Message) -> MessageOut:
    return MessageOut(
        uid=m.uid,
        direction=m.direction,
        kind=m.kind,
        text=m.text,
        media_id=m.media_id,
        delivery=m.delivery,
        error_code=m.error_code,
        error_message=m.error_message,
        created_at=m.created_at,
    )


def _rule(r: AutoReplyRule) -> RuleOut:
    values = {name: getattr(r, name) for name in rules.EDITABLE}
    return RuleOut(uid=r.uid, account_uid=r.account.uid, **values)


def _member_user(user_uid: UUID) -> Any:
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=require_tenant(), user__uid=user_uid)
        .first()
    )
    if membership is None:
        raise ApiError(404, "not_found", "No member with this user uid.")
    return membership.user


@router.get("/inbox/conversations", response=page_schema(ConversationOut), summary="Conversations")
def list_conversations(
    request: HttpRequest, filters: Query[ConversationFilters], page: Query[PageParams]
) -> dict[str, Any]:
    found = queries.conversations(q=filters.q)
    if filters.assigned == "unassigned":
        found = found.filter(assignee__isnull=True)
    elif filters.assigned:
        try:
            found = found.filter(assignee=_member_user(UUID(filters.assigned)))
        except ValueError as exc:
            raise ApiError(
                422, "validation_error", "assigned: a user uid or `unassigned`."
            ) from exc
    return paginate(found, page, order_by="-last_message_at", serialize=_conversation)


@router.get(
    "/inbox/conversations/{uid}/messages",
    response=page_schema(MessageOut),
    summary="Messages of a conversation, oldest first",
)
def list_messages(request: HttpRequest, uid: str, page: Query[PageParams]) -> dict[str, Any]:
    conversation = access_by_uid(Conversation, uid)
    return paginate(
        queries.messages_of(conversation), page, order_by="created_at", serialize=_message
    )


@router.post(
    "/inbox/conversations/{uid}/replies",
    response={202: MessageOut},
    summary="Reply with text (sent through the customer-service API)",
)
def reply(
    request: HttpRequest, uid: str, body: Body[ReplyIn | None] = None
) -> tuple[int, MessageOut]:
    conversation = access_by_uid(Conversation, uid)
    if body is None or not body.text.strip():
        raise ApiError(422, "validation_error", "text: required.")
    try:
        message = services.send_text(conversation, body.text)
    except services.ReplyRefused as exc:
        raise ApiError(409, "reply_window_closed", str(exc)) from exc
    return 202, _message(message)


@router.post(
    "/inbox/conversations/{uid}/assign", response=ConversationOut, summary="Assign to a member"
)
def assign(request: HttpRequest, uid: str, body: Body[AssignIn | None] = None) -> ConversationOut:
    conversation = access_by_uid(Conversation, uid)
    user = _member_user(body.user_uid) if body and body.user_uid is not None else None
    services.assign(conversation, user)
    return _conversation(conversation)


@router.get("/inbox/auto-replies", response=page_schema(RuleOut), summary="Auto-reply rules")
def list_rules(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.all_rules(), page, order_by="priority", serialize=_rule)


def _values(body: RuleIn) -> dict[str, Any]:
    return {k: v for k, v in body.dict(exclude={"account_uid"}).items() if v is not None}


def _invalid(exc: rules.RuleInvalid) -> ApiError:
    return ApiError(422, "invalid_rule", str(exc), {"fields": exc.errors})


@router.post("/inbox/auto-replies", response={201: RuleOut}, summary="Create a rule")
def create_rule(request: HttpRequest, body: RuleIn) -> tuple[int, RuleOut]:
    account = channel_queries.channel_by_uid(body.account_uid) if body.account_uid else None
    if account is None or account.kind != "oa":
        raise ApiError(422, "validation_error", "account_uid: an official account's uid.")
    try:
        rule = rules.create_rule(account, **_values(body))
    except rules.RuleInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _rule(rule)


@router.patch("/inbox/auto-replies/{uid}", response=RuleOut, summary="Change a rule")
def update_rule(request: HttpRequest, uid: str, body: RuleIn) -> RuleOut:
    rule = access_by_uid(AutoReplyRule, uid)
    try:
        rules.update_rule(rule, **_values(body))
    except rules.RuleInvalid as exc:
        raise _invalid(exc) from exc
    return _rule(rule)


@router.delete("/inbox/auto-replies/{uid}", response={204: None}, summary="Delete a rule")
def delete_rule(request: HttpRequest, uid: str) -> tuple[int, None]:
    rules.delete_rule(access_by_uid(AutoReplyRule, uid))
    return 204, None
