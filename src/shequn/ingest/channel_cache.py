"""What a callback needs to know about its channel, cached per process.

The hot path must not decrypt Fernet secrets and rebuild AES keys on every request, so the
resolved configuration (tenant, token, MessageCrypto, Pay verifier) is kept in process memory.
A change to any channel bumps a generation number in the shared cache; each process looks at it
at most every `CHECK_EVERY` seconds and drops its entries when it moved, and drops them at once
when the change happened in the same process (signal).
"""

from __future__ import annotations

import enum
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from shequn.core.logging import get_logger
from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.exceptions import ConfigurationError

log = get_logger(__name__)

GENERATION_KEY = "shequn:ingest:channel-generation"
CHECK_EVERY = 1.0
ENTRY_TTL = 300.0
MAX_UNKNOWN = 10_000


@dataclass(frozen=True)
class CallbackChannel:
    """A channel as the callback endpoint sees it. `crypto` is None in plaintext mode."""

    kind: str  # "oa", "wecom" or "pay"
    tenant_id: int
    channel_id: int
    channel_uid: uuid.UUID
    paused: bool
    token: str = ""
    receive_id: str = ""  # AppID or CorpID
    encryption_mode: str = "safe"
    crypto: MessageCrypto | None = None
    pay_verifier: Any = None
    api_v3_key: str = ""


class Missing(enum.Enum):
    MISSING = "missing"


MISSING = Missing.MISSING  # not in memory: loading it needs the database


@dataclass
class _Entry:
    channel: CallbackChannel | None
    loaded_at: float


class ChannelCache:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._checked_at = 0.0

    def get(self, kind: str, key: str) -> CallbackChannel | None:
        now = time.monotonic()
        if now - self._checked_at > CHECK_EVERY:
            self._check_generation(now)
        entry = self._entries.get((kind, key))
        if entry is not None and now - entry.loaded_at < ENTRY_TTL:
            return entry.channel
        channel = _load(kind, key)
        with self._lock:
            if channel is None and len(self._entries) >= MAX_UNKNOWN:
                # Someone is probing random keys; forget rather than grow without bound.
                self._entries.clear()
            self._entries[(kind, key)] = _Entry(channel, now)
        return channel

    def peek(self, kind: str, key: str) -> CallbackChannel | Missing | None:
        """The entry if it is in memory and fresh; MISSING otherwise. Never does I/O."""
        entry = self._entries.get((kind, key))
        if entry is not None and time.monotonic() - entry.loaded_at < ENTRY_TTL:
            return entry.channel
        return MISSING

    def check_generation(self) -> None:
        """Drop the entries if a channel changed elsewhere (looked at most every CHECK_EVERY)."""
        now = time.monotonic()
        if now - self._checked_at > CHECK_EVERY:
            self._check_generation(now)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _check_generation(self, now: float) -> None:
        self._checked_at = now
        try:
            generation = cache.get(GENERATION_KEY, 0)
        except Exception:  # noqa: BLE001 - a cache outage must not stop callbacks
            log.warning("ingest.channel_cache.generation_unavailable")
            self.clear()
            return
        if generation != self._generation:
            self._generation = generation
            self.clear()


_cache = ChannelCache()


def callback_channel(kind: str, key: str) -> CallbackChannel | None:
    """The connected channel of this kind with this callback key, or None."""
    return _cache.get(kind, key)


def peek_channel(kind: str, key: str) -> CallbackChannel | Missing | None:
    """`callback_channel` from memory only: MISSING when it would need the database."""
    return _cache.peek(kind, key)


def check_generation() -> None:
    """Notice channel changes made by other processes (called off the event loop)."""
    _cache.check_generation()


def invalidate_channels() -> None:
    """Called whenever a channel changes: this process at once, the others within a second."""
    _cache.clear()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 1, timeout=None)
    except Exception:  # noqa: BLE001 - the local clear already happened; others expire by TTL
        log.warning("ingest.channel_cache.invalidate_failed")


def _parse_key(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key)
    except ValueError:
        return None


def _load(kind: str, key: str) -> CallbackChannel | None:
    from shequn.channels import queries

    parsed = _parse_key(key)
    if parsed is None:
        return None
    channel = queries.channel_by_callback_key(kind, parsed)
    if channel is None:
        return None
    try:
        return _describe(kind, channel)
    except ConfigurationError:
        log.warning("ingest.channel_cache.misconfigured", kind=kind, channel=str(channel.uid))
        return None


def _describe(kind: str, channel: Any) -> CallbackChannel:
    common = {
        "kind": kind,
        "tenant_id": channel.tenant_id,
        "channel_id": channel.pk,
        "channel_uid": channel.uid,
        "paused": channel.ingest_paused,
    }
    if kind == "oa":
        token = channel.token.reveal() if channel.token else ""
        aes = channel.encoding_aes_key.reveal() if channel.encoding_aes_key else ""
        previous = (
            channel.previous_encoding_aes_key.reveal() if channel.previous_encoding_aes_key else ""
        )
        crypto = (
            MessageCrypto(token, aes, channel.appid, previous or None) if aes and token else None
        )
        return CallbackChannel(
            **common,
            token=token,
            receive_id=channel.appid,
            encryption_mode=channel.encryption_mode,
            crypto=crypto,
        )
    if kind == "wecom":
        token = channel.callback_token.reveal() if channel.callback_token else ""
        aes = channel.callback_aes_key.reveal() if channel.callback_aes_key else ""
        previous = (
            channel.previous_callback_aes_key.reveal() if channel.previous_callback_aes_key else ""
        )
        if not (token and aes):
            raise ConfigurationError("WeCom callback token and key are required")
        return CallbackChannel(
            **common,
            token=token,
            receive_id=channel.corpid,
            crypto=MessageCrypto(token, aes, channel.corpid, previous or None),
        )
    from shequn.channels.services import pay_verifier

    return CallbackChannel(
        **common,
        receive_id=channel.mchid,
        pay_verifier=pay_verifier(channel),
        api_v3_key=channel.api_v3_key.reveal() if channel.api_v3_key else "",
    )


def _on_channel_change(sender: type, **kwargs: Any) -> None:
    invalidate_channels()


def connect_invalidation() -> None:
    from django.db.models.signals import post_delete, post_save

    from shequn.channels.models import OfficialAccount, PayMerchant, WeComCorp

    for model in (OfficialAccount, WeComCorp, PayMerchant):
        uid = f"ingest.channel_cache.{model.__name__}"
        post_save.connect(_on_channel_change, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_channel_change, sender=model, dispatch_uid=uid + ".delete")
