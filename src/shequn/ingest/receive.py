"""The callback hot path, independent of any web framework.

verify → decrypt → parse (size-capped, hostile-XML-safe) → one idempotent inbox row → answer.
Nothing else runs here: processing happens in the worker. An answer other than 5xx means the row
is committed; rejected input stores nothing; a database outage answers 503 so the platform
retries.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DatabaseError

from shequn.core.logging import get_logger
from shequn.ingest.channel_cache import (
    MISSING,
    CallbackChannel,
    callback_channel,
    peek_channel,
)
from shequn.ingest.flatxml import envelope_ciphertext, flat_fields
from shequn.ingest.inbox import IngestUnavailable, Inserted, NewEvent, insert_now
from shequn.ingest.passive import passive_reply_for
from shequn.wechat.crypto import DecryptedMessage
from shequn.wechat.exceptions import (
    InvalidSignature,
    PayloadTooLarge,
    ProtocolError,
    ReceiveIdMismatch,
)
from shequn.wechat.messages import InboundMessage, message_from_fields
from shequn.wechat.signature import verify_msg_signature, verify_url_signature

log = get_logger(__name__)
_stdlib_log = logging.getLogger(__name__)

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
# A correctly signed callback whose timestamp is too far from now: a replay, or a clock to fix.
STALE = Answer(403, b"forbidden: timestamp is missing or too far from the current time")
PAY_ACCEPTED = Answer(204, b"")


def _pay_failure(status: int, message: str) -> Answer:
    body = json.dumps({"code": "FAIL", "message": message}).encode()
    return Answer(status, body, "application/json")


class _Rejected(Exception):
    def __init__(self, answer: Answer, log_event: str | None = None, reason: str = "") -> None:
        super().__init__(reason)
        self.answer = answer
        self.log_event = log_event
        self.reason = reason


class Callback(NamedTuple):
    """One HTTP request to a callback URL, as the web layer saw it (a tuple: cheap to build)."""

    kind: str
    key: str
    method: str
    query: Mapping[str, str]
    body: bytes
    headers: Mapping[str, str]


def too_large(content_length: int | None) -> bool:
    return content_length is not None and content_length > MAX_BODY_BYTES


@dataclass(slots=True)
class Accepted:
    """A push that passed every check: its inbox row, and how to answer once it is written."""

    callback: Callback
    channel: CallbackChannel
    row: NewEvent
    message: InboundMessage | None = None  # None for Pay notifications
    opened: DecryptedMessage | None = None


def handle(callback: Callback, *, write: Writer = insert_now) -> Answer:
    """Answer one callback. Never raises."""
    step = begin(callback)
    if isinstance(step, Answer):
        return step
    try:
        result = write(step.row)
    except Exception as exc:  # noqa: BLE001 - every failure to write answers 503
        return failed(step, exc)
    return complete(step, result)


def begin_in_memory(callback: Callback) -> Answer | Accepted | None:
    """`begin` when it needs no I/O (the channel is in memory; not Pay); None otherwise.

    Lets an event loop verify, decrypt and parse a callback itself while the database work of
    earlier callbacks runs on another thread. Never raises.
    """
    if callback.kind == "pay":
        return None
    if callback.kind not in KINDS:
        return NOT_FOUND
    # Looked up once: the pipeline thread may drop the cached entries at any moment.
    channel = peek_channel(callback.kind, callback.key)
    if channel is MISSING:
        return None
    return begin(callback, channel_of=lambda kind, key: channel)


def begin(
    callback: Callback,
    *,
    channel_of: Callable[[str, str], CallbackChannel | None] = callback_channel,
) -> Answer | Accepted:
    """Everything before the inbox write: the final answer, or the row to write. Never raises."""
    try:
        if callback.kind not in KINDS:
            return NOT_FOUND
        channel = channel_of(callback.kind, callback.key)
        if channel is None:
            return NOT_FOUND
        if len(callback.body) > MAX_BODY_BYTES:
            return TOO_LARGE
        if callback.kind == "pay":
            return _pay(callback, channel)
        if callback.method == "GET":
            return _verify_url(callback, channel)
        if callback.method != "POST":
            return NOT_ALLOWED
        return _push(callback, channel)
    except _Rejected as rejected:
        if rejected.log_event:
            log.warning(
                rejected.log_event,
                kind=callback.kind,
                status=rejected.answer.status,
                reason=rejected.reason[:200],
            )
        return rejected.answer
    except Exception as exc:  # noqa: BLE001 - the callback is answered whatever happens
        return _unavailable(callback.kind, exc)


def failed(step: Accepted, exc: BaseException) -> Answer:
    """The answer when the row could not be written: 503, so the platform retries."""
    return _unavailable(step.callback.kind, exc)


def complete(step: Accepted, result: Inserted) -> Answer:
    """The answer once the row is committed (new or a duplicate). Never raises."""
    try:
        _log_outcome(step.channel, step.row, result)
        if step.message is None:
            return PAY_ACCEPTED
        return _reply(step, result)
    except Exception as exc:
        log.exception("ingest.callback.reply_crashed", kind=step.callback.kind, error=str(exc))
        return SUCCESS if step.channel.kind == "oa" else EMPTY


def _unavailable(kind: str, exc: BaseException) -> Answer:
    if isinstance(exc, DatabaseError | IngestUnavailable):
        log.error("ingest.callback.unavailable", kind=kind, error=str(exc)[:300])
    else:
        log.error(
            "ingest.callback.crashed",
            kind=kind,
            error=type(exc).__name__,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
    return UNAVAILABLE


def _param(query: Mapping[str, str], name: str) -> str:
    return query.get(name, "")


def _reject_protocol(exc: ProtocolError) -> _Rejected:
    if isinstance(exc, InvalidSignature | ReceiveIdMismatch):
        return _Rejected(FORBIDDEN, "ingest.callback.bad_signature", str(exc))
    if isinstance(exc, PayloadTooLarge):
        return _Rejected(TOO_LARGE, "ingest.callback.too_large", str(exc))
    return _Rejected(BAD_REQUEST, "ingest.callback.malformed", str(exc))


def check_fresh(timestamp: str, *, now: float | None = None) -> None:
    """Refuse a signed timestamp further than SHEQUN_CALLBACK_MAX_SKEW_SECONDS from now.

    Runs after the signature checks (so only a genuine, replayed request gets this answer): a
    captured push replayed later, or a platform whose clock is off, is answered 403 and nothing is
    stored. A setting of 0 or less switches the check off.
    """
    limit = settings.SHEQUN_CALLBACK_MAX_SKEW_SECONDS
    if limit <= 0:
        return
    try:
        skew = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        raise _Rejected(STALE, "ingest.callback.stale", "timestamp is not a number") from None
    if abs(skew) > limit:
        raise _Rejected(STALE, "ingest.callback.stale", f"timestamp is {int(skew)} s from now")


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
    check_fresh(timestamp)
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
    msg_signature = _param(q, "msg_signature")
    ciphertext = envelope_ciphertext(callback.body)
    if ciphertext is None:
        # Not the plain shape WeChat sends: the full safe parser decides (and refuses if need be).
        opened = channel.crypto.open_envelope(
            callback.body, msg_signature=msg_signature, timestamp=timestamp, nonce=nonce
        )
    else:
        verify_msg_signature(channel.crypto.token, timestamp, nonce, ciphertext, msg_signature)
        opened = channel.crypto.decrypt_detailed(ciphertext)
    return opened.plaintext, opened


def _push(callback: Callback, channel: CallbackChannel) -> Accepted:
    try:
        plaintext, opened = _decrypt(callback, channel)
    except ProtocolError as exc:
        raise _reject_protocol(exc) from None
    # Signatures (and decryption) passed: the timestamp is genuine, so its age means something.
    check_fresh(_param(callback.query, "timestamp"))
    try:
        message = message_from_fields(flat_fields(plaintext), _as_text(plaintext))
    except ProtocolError as exc:
        raise _reject_protocol(exc) from None
    return Accepted(callback, channel, _row(channel, message), message, opened)


def _reply(step: Accepted, result: Inserted) -> Answer:
    channel, message = step.channel, step.message
    reply = None
    if message is not None and result.is_new and not channel.paused:
        reply = passive_reply_for(channel, message)
    if reply is None:
        return SUCCESS if channel.kind == "oa" else EMPTY
    q = step.callback.query
    if step.opened is not None and channel.crypto is not None:
        body = reply.render_encrypted(
            channel.crypto,
            _param(q, "timestamp"),
            _param(q, "nonce"),
            use_previous_key=step.opened.used_previous_key,
        )
    else:
        body = reply.render()
    return Answer(200, body.encode("utf-8"), "application/xml; charset=utf-8")


def _as_text(xml: bytes) -> str:
    return xml.decode("utf-8", "replace")


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
        fields=message.fields,  # type: ignore[arg-type]  # a dict built by from_fields
        parked=channel.paused,
    )


def _log_outcome(channel: CallbackChannel, row: NewEvent, result: Inserted) -> None:
    if not _stdlib_log.isEnabledFor(logging.INFO):
        return  # building the event costs more than the rest of a duplicate's answer
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


def _pay(callback: Callback, channel: CallbackChannel) -> Answer | Accepted:
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
        parked=channel.paused,
    )
    return Accepted(callback, channel, row)
