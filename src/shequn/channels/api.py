"""/api/v1/channels/...: connected channels (secrets write-only), their inbox events and replay,
and a minimal read of contacts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.channels import queries, services
from shequn.channels.models import Channel
from shequn.ingest import queries as ingest_queries
from shequn.ingest import services as ingest_services
from shequn.ingest.models import InboundEvent
from shequn.tenancy.access import access_by_uid

router = Router(tags=["channels"])


class ChannelOut(Schema):
    uid: UUID
    kind: str
    name: str
    external_id: str = Field(description="AppID, CorpID or merchant id")
    callback_path: str
    ingest_paused: bool
    created_at: datetime
    last_test_ok: bool | None
    last_test_message: str
    secrets_set: list[str] = Field(description="Names of secret fields that hold a value")


class ChannelIn(Schema):
    kind: Literal["oa", "wecom", "pay"]
    name: str = Field(min_length=1, max_length=100)
    appid: str | None = None
    corpid: str | None = None
    mchid: str | None = None
    account_kind: str | None = None
    encryption_mode: str | None = None
    verified: bool | None = None
    verified_until: date | None = None
    original_id: str | None = None
    api_base_url: str | None = None
    serial_no: str | None = None
    platform_key_mode: str | None = None
    platform_key_id: str | None = None
    platform_key_pem: str | None = None
    welcome_message: str | None = None
    secret: str | None = Field(None, description="write-only")
    token: str | None = Field(None, description="write-only")
    encoding_aes_key: str | None = Field(None, description="write-only")
    contact_secret: str | None = Field(None, description="write-only")
    callback_token: str | None = Field(None, description="write-only")
    callback_aes_key: str | None = Field(None, description="write-only")
    private_key: str | None = Field(None, description="write-only")
    api_v3_key: str | None = Field(None, description="write-only")


class ChannelPatch(Schema):
    name: str | None = None
    ingest_paused: bool | None = None
    account_kind: str | None = None
    encryption_mode: str | None = None
    verified: bool | None = None
    verified_until: date | None = None
    original_id: str | None = None
    api_base_url: str | None = None
    welcome_message: str | None = None
    platform_key_mode: str | None = None
    platform_key_id: str | None = None
    platform_key_pem: str | None = None
    secret: str | None = None
    token: str | None = None
    encoding_aes_key: str | None = None
    contact_secret: str | None = None
    callback_token: str | None = None
    callback_aes_key: str | None = None
    private_key: str | None = None
    api_v3_key: str | None = None


class TestOut(Schema):
    ok: bool
    message: str


class EventOut(Schema):
    uid: UUID
    platform: str
    msg_type: str
    event: str
    change_type: str
    from_user: str
    state: str
    attempts: int
    last_error: str
    received_at: datetime
    processed_at: datetime | None


def _external_id(channel: Channel) -> str:
    return str(
        getattr(channel, "appid", "")
        or getattr(channel, "corpid", "")
        or getattr(channel, "mchid", "")
    )


def _out(channel: Channel) -> ChannelOut:
    secret_names = services.SECRET_FIELDS[type(channel)]
    return ChannelOut(
        uid=channel.uid,
        kind=channel.kind,
        name=channel.name,
        external_id=_external_id(channel),
        callback_path=f"/cb/{channel.kind}/{channel.callback_key}/",
        ingest_paused=channel.ingest_paused,
        created_at=channel.created_at,
        last_test_ok=channel.last_test_ok,
        last_test_message=channel.last_test_message,
        secrets_set=sorted(n for n in secret_names if getattr(channel, n)),
    )


def _channel(uid: str) -> Channel:
    channel = queries.channel_by_uid(uid)
    if channel is None:
        raise Http404
    return channel  # type: ignore[no-any-return]


def _values(payload: Schema) -> dict[str, Any]:
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}


@router.get("/channels", response=list[ChannelOut], summary="Connected channels")
def list_channels(request: HttpRequest) -> list[ChannelOut]:
    return [_out(c) for c in queries.all_channels()]


@router.post("/channels", response={201: ChannelOut}, summary="Connect a channel")
def create_channel(request: HttpRequest, payload: ChannelIn) -> tuple[int, ChannelOut]:
    values = _values(payload)
    kind = values.pop("kind")
    try:
        channel = services.connect(queries.MODELS[kind], **values)
    except (services.ChannelError, ValueError) as exc:
        raise ApiError(422, "invalid_channel", str(exc)) from exc
    except Exception as exc:  # ValidationError from full_clean
        raise ApiError(422, "invalid_channel", str(getattr(exc, "messages", exc))) from exc
    return 201, _out(channel)


@router.get("/channels/{uid}", response=ChannelOut, summary="One channel")
def get_channel(request: HttpRequest, uid: str) -> ChannelOut:
    return _out(_channel(uid))


@router.patch("/channels/{uid}", response=ChannelOut, summary="Update a channel")
def update_channel(request: HttpRequest, uid: str, payload: ChannelPatch) -> ChannelOut:
    channel = _channel(uid)
    values = _values(payload)
    paused = values.pop("ingest_paused", None)
    try:
        services.update_channel(channel, **values)
    except Exception as exc:
        raise ApiError(422, "invalid_channel", str(getattr(exc, "messages", exc))) from exc
    if paused is not None and paused != channel.ingest_paused:
        services.set_ingest_paused(channel, paused)
    return _out(channel)


@router.post("/channels/{uid}/test", response=TestOut, summary="Test the connection")
def test_channel(request: HttpRequest, uid: str) -> TestOut:
    result = services.test_connection(_channel(uid))
    return TestOut(ok=result.ok, message=result.message)


def _event(event: InboundEvent) -> EventOut:
    return EventOut(
        uid=event.uid,
        platform=event.platform,
        msg_type=event.msg_type,
        event=event.event,
        change_type=event.change_type,
        from_user=event.from_user,
        state=event.state,
        attempts=event.attempts,
        last_error=event.last_error,
        received_at=event.received_at,
        processed_at=event.processed_at,
    )


@router.get("/channels/{uid}/events", response=page_schema(EventOut), summary="Inbox events")
def list_events(request: HttpRequest, uid: str, page: Query[PageParams]) -> dict[str, Any]:
    channel = _channel(uid)
    found = ingest_queries.events(channel_kind=channel.kind, channel_id=channel.pk)
    return paginate(found, page, order_by="-received_at", serialize=_event)


@router.post("/events/{uid}/replay", response=EventOut, summary="Process an event again")
def replay_event(request: HttpRequest, uid: str) -> EventOut:
    return _event(ingest_services.replay_event(access_by_uid(InboundEvent, uid)))
