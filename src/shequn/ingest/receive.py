"""The callback hot path, independent of any web framework.

verify → decrypt → parse (size-capped, hostile-XML-safe) → one idempotent inbox row → answer.
Nothing else runs here: processing happens in the worker. An answer other than 5xx means the row
is committed; rejected input stores nothing; a database outage answers 503 so the platform
retries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError

from shequn.core.logging import get_logger
from shequn.ingest.channel_cache import CallbackChannel, callback_channel
from shequn.ingest.inbox import IngestUnavailable, Inserted, NewEvent, insert_now
from shequn.ingest.passive import passive_reply_for
from shequn.wechat.crypto import DecryptedMessage
from shequn.wechat.exceptions import (
    InvalidSignature,
    PayloadTooLarge,
    ProtocolError,
    ReceiveIdMismatch,
)
from shequn.wechat.messages import InboundMessage, parse_message
from shequn.wechat.signature import verify_url_signature

log = get_logger(__name__)

MAX_BODY_BYTES = 64 * 1024
KINDS = frozenset({"oa", "wecom", "pay"})

Writer = Callable[[NewEvent], Inserted]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


SUCCESS = Answer(200, b"success")
EMPTY = Answer(200, b"")
NOT_FOUND = Answer(404, b"not found")
FORBIDDEN = Answer(403, b"forbidden")
BAD_REQUEST = Answer(400, b"bad request")
TOO_LARGE = Answer(413, b"payload too large")
UNAVAILABLE = Answer(503, b"temporarily unavailable")
NOT_ALLOWED = Answer(405, b"method not allowed")
PAY_ACCEPTED = Answer(204, b"")


def _pay_failure(status: int, message: str) -> Answer:
    body = json.dumps({"code": "FAIL", "message": message}).encode()
    return Answer(status, body, "application/json")


class _Rejected(Exception):  # noqa: N818 - carries the answer, not an error condition
    def __init__(self, answer: Answer, log_event: str | None = None, reason: str = "") -> None:
        super().__init__(reason)
        self.answer = answer
        self.log_event = log_event
        self.reason = reason


@dataclass(frozen=True)
class Callback:
    """One HTTP request to a callback URL, as the web layer saw it."""

    kind: str
    key: str
    method: str
    query: Mapping[str, str]
    body: bytes
    headers: Mapping[str, str]


def too_large(content_length: int | None) -> bool:
    return content_length is not None and content_length > MAX_BODY_BYTES


def handle(callback: Callback, *, write: Writer = insert_now) -> Answer:
    """Answer one callback. Never raises."""
    try:
        if callback.kind not in KINDS:
            return NOT_FOUND
        channel = callback_channel(callback.kind, callback.key)
        if channel is None:
            return NOT_FOUND
        if len(callback.body) > MAX_BODY_BYTES:
            return TOO_LARGE
        if callback.kind == "pay":
            return _pay(callback, channel, write)
        if callback.method == "GET":
            return _verify_url(callback, channel)
        if callback.method != "POST":
            return NOT_ALLOWED
        return _push(callback, channel, write)
    except _Rejected as rejected:
        if rejected.log_event:
            log.warning(
                rejected.log_event,
                kind=callback.kind,
                status=rejected.answer.status,
                reason=rejected.reason[:200],
            )
        return rejected.answer
    except (DatabaseError, IngestUnavailable) as exc:
        log.error("ingest.callback.unavailable", kind=callback.kind, error=str(exc)[:300])
        return UNAVAILABLE
    except Exception:
        log.exception("ingest.callback.crashed", kind=callback.kind)
        return UNAVAILABLE


def _param(query: Mapping[str, str], name: str) -> str:
    value = query.get(name, "")
    return value if isinstance(value, str) else ""


def _reject_protocol(exc: ProtocolError) -> _Rejected:
    if isinstance(exc, InvalidSignature | ReceiveIdMismatch):
        return _Rejected(FORBIDDEN, "ingest.callback.bad_signature", str(exc))
    if isinstance(exc, PayloadTooLarge):
        return _Rejected(TOO_LARGE, "ingest.callback.too_large", str(exc))
    return _Rejected(BAD_REQUEST, "ingest.callback.malformed", str(exc))


def _verify_url(callback: Callback, channel: CallbackChannel) -> Answer:
    q = callback.query
    timestamp, nonce, echostr = _param(q, "timestamp"), _param(q, "nonce"), _param(q, "echostr")
    try:
        if channel.kind == "oa":
            verify_url_signature(channel.token, timestamp, nonce, _param(q, "signature"))
            plain = echostr
        else:
            if channel.crypto is None:
                raise InvalidSignature("no callback key configured")
            plain = channel.crypto.verify_url(_param(q, "msg_signature"), timestamp, nonce, echostr)
    except ProtocolError as exc:
        raise _reject_protocol(exc) from None
    return Answer(200, plain.encode("utf-8"))


def _decrypt(callback: Callback, channel: CallbackChannel) -> tuple[bytes, DecryptedMessage | None]:
    """The plaintext XML of a push and, when it was encrypted, how (for the reply)."""
    q = callback.query
    timestamp, nonce = _param(q, "timestamp"), _param(q, "nonce")
    if channel.kind == "oa":
        # Every official-account push carries `signature`, whatever the encryption mode.
        verify_url_signature(channel.token, timestamp, nonce, _param(q, "signature"))
        encrypted = _param(q, "encrypt_type").lower() == "aes"
        if channel.encryption_mode == "safe" and not encrypted:
            raise InvalidSignature("safe mode requires an encrypted push")
        if not encrypted:
            return callback.body, None
        if channel.crypto is None:
            raise InvalidSignature("an encrypted push for an account without an EncodingAESKey")
    if channel.crypto is None:
        raise InvalidSignature("no callback key configured")
    if not _param(q, "msg_signature"):
        raise InvalidSignature("msg_signature is missing")
    opened = channel.crypto.open_envelope(
        callback.body, msg_signature=_param(q, "msg_signature"), timestamp=timestamp, nonce=nonce
    )
    return opened.plaintext, opened


def _push(callback: Callback, channel: CallbackChannel, write: Writer) -> Answer:
    try:
        plaintext, opened = _decrypt(callback, channel)
        message = parse_message(plaintext, max_bytes=MAX_BODY_BYTES)
    except ProtocolError as exc:
        raise _reject_protocol(exc) from None
    row = _row(channel, message)
    result = write(row)
    _log_outcome(channel, row, result)
    reply = passive_reply_for(channel, message) if result.is_new and not channel.paused else None
    if reply is None:
        return SUCCESS if channel.kind == "oa" else EMPTY
    q = callback.query
    if opened is not None and channel.crypto is not None:
        body = reply.render_encrypted(
            channel.crypto,
            _param(q, "timestamp"),
            _param(q, "nonce"),
            use_previous_key=opened.used_previous_key,
        )
    else:
        body = reply.render()
    return Answer(200, body.encode("utf-8"), "application/xml; charset=utf-8")


def _row(channel: CallbackChannel, message: InboundMessage) -> NewEvent:
    return NewEvent(
        tenant_id=channel.tenant_id,
        channel_kind=channel.kind,
        channel_id=channel.channel_id,
        platform=message.platform,
        msg_type=message.msg_type,
        event=message.event,
        change_type=str(getattr(message, "change_type", "") or ""),
        dedupe_key=message.dedupe_key,
        from_user=message.from_user,
        raw_xml=message.raw_xml,
        fields=dict(message.fields),
        received_at=datetime.now(UTC),
        parked=channel.paused,
    )


def _log_outcome(channel: CallbackChannel, row: NewEvent, result: Inserted) -> None:
    if not result.is_new:
        name = "ingest.callback.duplicate"
    elif row.parked:
        name = "ingest.callback.parked"
    else:
        name = "ingest.callback.accepted"
    log.info(
        name,
        kind=channel.kind,
        channel=str(channel.channel_uid),
        msg_type=row.msg_type,
        event_name=row.event,
        event_id=result.event_id,
    )


def _pay(callback: Callback, channel: CallbackChannel, write: Writer) -> Answer:
    from shequn.wechat.pay.notifications import parse_notification

    if callback.method != "POST":
        return NOT_ALLOWED
    if channel.pay_verifier is None or not channel.api_v3_key:
        return _pay_failure(503, "merchant keys are not configured")
    try:
        notification = parse_notification(
            callback.headers,
            callback.body,
            verifier=channel.pay_verifier,
            api_v3_key=channel.api_v3_key,
            max_bytes=MAX_BODY_BYTES,
        )
    except ProtocolError as exc:
        rejected = _reject_protocol(exc)
        rejected.answer = _pay_failure(rejected.answer.status, "rejected")
        raise rejected from None
    document: dict[str, Any] = {
        "id": notification.id,
        "create_time": notification.create_time,
        "event_type": notification.event_type,
        "resource_type": notification.resource_type,
        "summary": notification.summary,
        "original_type": notification.original_type,
        "resource": notification.resource,
    }
    row = NewEvent(
        tenant_id=channel.tenant_id,
        channel_kind="pay",
        channel_id=channel.channel_id,
        platform="pay",
        msg_type=notification.event_type,
        event=notification.original_type,
        change_type="",
        dedupe_key=f"pay:{notification.id}",
        from_user="",
        raw_xml=json.dumps(document, ensure_ascii=False),
        fields=document,
        received_at=datetime.now(UTC),
        parked=channel.paused,
    )
    result = write(row)
    _log_outcome(channel, row, result)
    return PAY_ACCEPTED
