"""Auto-replies on the callback hot path: a compiled matcher per account, cached in memory.

Each process keeps `Matcher`s by account. Changing an account's rules bumps its `RuleSetVersion`
and writes the new number to the shared cache; a process compares its copy's version with the
shared number at most every `CHECK_EVERY` seconds and reloads when they differ (or when the copy
is older than `ENTRY_TTL`, which bounds staleness when the cache is per-process). The reload is
the only database read, and it happens only after a change or on a cold process.

When the hot path answers passively it leaves a marker in the shared cache; the worker's handler
reads it (or, without a shared cache, takes the same deterministic decision again) so a message
is answered either in the callback or through the customer-service API, never both.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from shequn.core.logging import get_logger
from shequn.inbox.matching import CompiledRule, Matcher, ReplySpec, RuleInput, build_matcher
from shequn.inbox.models import AutoReplyRule, RuleSetVersion
from shequn.wechat.replies import Article, ImageReply, NewsReply, Reply, TextReply

log = get_logger(__name__)

CHECK_EVERY = 1.0
ENTRY_TTL = 60.0
MARKER_TTL = 3600
USER_MESSAGE_TYPES = frozenset(
    {"text", "image", "voice", "video", "shortvideo", "location", "link"}
)


def version_key(account_id: int) -> str:
    return f"shequn:inbox:rules-version:{account_id}"


def marker_key(tenant_id: int, account_id: int, dedupe_key: str) -> str:
    return f"shequn:inbox:passive:{tenant_id}:{account_id}:{dedupe_key}"


def spec_of(rule: AutoReplyRule) -> ReplySpec:
    return ReplySpec(
        kind=rule.reply_kind,
        text=rule.text,
        media_id=rule.media_id,
        articles=tuple(
            {k: str(a.get(k, "")) for k in ("title", "description", "url", "pic_url")}
            for a in (rule.articles or [])
            if isinstance(a, dict)
        ),
        mp_appid=rule.mp_appid,
        mp_pagepath=rule.mp_pagepath,
        mp_title=rule.mp_title,
        mp_thumb_media_id=rule.mp_thumb_media_id,
    )


def rule_input(rule: AutoReplyRule) -> RuleInput:
    return RuleInput(
        rule_id=rule.pk,
        uid=str(rule.uid),
        name=rule.name,
        trigger=rule.trigger,
        match_kind=rule.match_kind,
        patterns=rule.patterns,
        priority=rule.priority,
        enabled=rule.enabled,
        reply=spec_of(rule),
    )


def load_matcher(tenant_id: int, account_id: int) -> Matcher:
    # unscoped: the hot path has no tenant scope yet; tenant and account come from the channel
    rules = AutoReplyRule.objects.unscoped().filter(tenant_id=tenant_id, account_id=account_id)
    # unscoped: same as above, the version row of this tenant's account
    stamp = RuleSetVersion.objects.unscoped().filter(tenant_id=tenant_id, account_id=account_id)
    version = stamp.values_list("version", flat=True).first() or 0
    matcher = build_matcher([rule_input(r) for r in rules], version)
    try:
        cache.add(version_key(account_id), version, timeout=None)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; TTL bounds staleness
        log.warning("inbox.autoreply.cache_unavailable")
    return matcher


@dataclass
class _Entry:
    matcher: Matcher
    loaded_at: float
    checked_at: float


class MatcherCache:
    def __init__(self) -> None:
        self._entries: dict[tuple[int, int], _Entry] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: int, account_id: int) -> Matcher:
        now = time.monotonic()
        entry = self._entries.get((tenant_id, account_id))
        fresh = entry is not None and now - entry.loaded_at < ENTRY_TTL
        if (
            entry is not None
            and fresh
            and (now - entry.checked_at < CHECK_EVERY or self._current(entry, account_id))
        ):
            entry.checked_at = now
            return entry.matcher
        matcher = load_matcher(tenant_id, account_id)
        with self._lock:
            self._entries[(tenant_id, account_id)] = _Entry(matcher, now, now)
        return matcher

    @staticmethod
    def _current(entry: _Entry, account_id: int) -> bool:
        try:
            return bool(cache.get(version_key(account_id)) == entry.matcher.version)
        except Exception:  # noqa: BLE001 - without the cache, reload (cheap, rare)
            return False

    def forget(self, account_id: int) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[1] == account_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


matchers = MatcherCache()


def publish_version(account_id: int, version: int) -> None:
    """After a committed change: this process at once, the others within `CHECK_EVERY`."""
    matchers.forget(account_id)
    try:
        cache.set(version_key(account_id), version, timeout=None)
    except Exception:  # noqa: BLE001 - other processes catch up by TTL
        log.warning("inbox.autoreply.cache_unavailable")


# -- deciding -------------------------------------------------------------------------------


def rule_for(matcher: Matcher, message: Any) -> CompiledRule | None:
    """The rule answering an inbound official-account message or event, if any."""
    msg_type = str(getattr(message, "msg_type", "")).lower()
    if msg_type == "event":
        event = str(getattr(message, "event", "")).lower()
        if event == "click":
            # A menu button answered by an auto-reply: its key is one of the rule's keywords.
            return matcher.keyword_match(str(getattr(message, "event_key", "") or ""))
        return matcher.follow if event == "subscribe" else None
    if msg_type == "text":
        return matcher.match(str(getattr(message, "content", "")))
    if msg_type in USER_MESSAGE_TYPES:
        return matcher.default
    return None


def passive_reply(spec: ReplySpec, message: Any) -> Reply | None:
    """The callback answer for `spec`, or None when only the customer-service API can send it."""
    if spec.kind == "text" and spec.text:
        return TextReply.to(message, content=spec.text)
    if spec.kind == "image" and spec.media_id:
        return ImageReply.to(message, media_id=spec.media_id)
    if spec.kind == "news" and spec.articles:
        articles = tuple(
            Article(
                title=a.get("title", ""),
                description=a.get("description", ""),
                pic_url=a.get("pic_url", ""),
                url=a.get("url", ""),
            )
            for a in spec.articles[:8]
        )
        return NewsReply.to(message, articles=articles)
    return None


def answer_in_callback(tenant_id: int, account_id: int, message: Any) -> Reply | None:
    """The hot-path decision; leaves a marker when it answers."""
    rule = rule_for(matchers.get(tenant_id, account_id), message)
    if rule is None or not rule.reply.passive:
        return None
    reply = passive_reply(rule.reply, message)
    if reply is not None:
        try:
            key = marker_key(tenant_id, account_id, message.dedupe_key)
            cache.set(key, rule.uid, timeout=MARKER_TTL)
        except Exception:  # noqa: BLE001 - the handler falls back to the same decision
            log.warning("inbox.autoreply.marker_unavailable")
    return reply
