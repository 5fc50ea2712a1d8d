"""Keyword matching for auto-replies: rules compiled once into an immutable matcher.

Pure Python (no Django) so the callback hot path can run it in memory. Regular expressions are
validated when saved: Python's `re` has no timeout, so patterns that can backtrack exponentially
(a quantified group that itself holds an unbounded quantifier, back-references) are refused, the
pattern length is capped, and the text is cut to `MAX_INPUT_CHARS` before any search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_PATTERN_CHARS = 200
MAX_INPUT_CHARS = 600  # WeChat texts are at most 2048 bytes; a keyword sits near the start
MAX_KEYWORDS = 50

EXACT, CONTAINS, REGEX = "exact", "contains", "regex"
PASSIVE_KINDS = frozenset({"text", "image", "news"})

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT}
_UNBOUNDED = sre_parse.MAXREPEAT


class UnsafePattern(ValueError):
    """A regular expression that is invalid, too long or can backtrack catastrophically."""


def _walk(items: Any, outer: str) -> None:
    """`outer`: "" outside any repetition, else "bounded" / "unbounded" (the enclosing one)."""
    for op, arg in items:
        if op in _REPEATS:
            _low, high, sub = arg
            if high <= 1:
                _walk(sub, outer)
                continue
            kind = "unbounded" if high == _UNBOUNDED or high > 100 else "bounded"
            if outer and "unbounded" in (outer, kind):
                raise UnsafePattern("nested repetition")
            _walk(sub, kind if kind == "unbounded" or not outer else outer)
        elif op in (sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS):
            raise UnsafePattern("back-reference")
        elif op == sre_parse.SUBPATTERN:
            _walk(arg[-1], outer)
        elif op == sre_parse.BRANCH:
            for branch in arg[1]:
                _walk(branch, outer)
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            _walk(arg[1], outer)
        elif op == sre_parse.ATOMIC_GROUP:
            _walk(arg, outer)


def compile_safe(pattern: str) -> re.Pattern[str]:
    """The compiled pattern (case-insensitive), or UnsafePattern saying why not."""
    if not pattern:
        raise UnsafePattern("empty pattern")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePattern(f"longer than {MAX_PATTERN_CHARS} characters")
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
        compiled = re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsafePattern(f"invalid: {exc}") from exc
    _walk(parsed, "")
    return compiled


def split_keywords(patterns: str) -> list[str]:
    return [line.strip() for line in patterns.splitlines() if line.strip()][:MAX_KEYWORDS]


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()[:MAX_INPUT_CHARS]


@dataclass(frozen=True)
class ReplySpec:
    kind: str  # text, image, news, miniprogram
    text: str = ""
    media_id: str = ""
    articles: tuple[dict[str, str], ...] = ()
    mp_appid: str = ""
    mp_pagepath: str = ""
    mp_title: str = ""
    mp_thumb_media_id: str = ""

    @property
    def passive(self) -> bool:
        """Whether WeChat accepts this reply in the callback answer."""
        return self.kind in PASSIVE_KINDS


@dataclass(frozen=True)
class CompiledRule:
    rule_id: int
    uid: str
    name: str
    priority: int
    match_kind: str
    keywords: tuple[str, ...]
    reply: ReplySpec
    regexes: tuple[re.Pattern[str], ...] = ()

    def matches(self, text: str) -> bool:
        if self.match_kind == REGEX:
            return any(r.search(text) for r in self.regexes)
        if self.match_kind == CONTAINS:
            return any(k in text for k in self.keywords)
        return text in self.keywords


@dataclass(frozen=True)
class RuleInput:
    """What a matcher needs from a stored rule."""

    rule_id: int
    uid: str
    name: str
    trigger: str  # keyword, follow, default
    match_kind: str
    patterns: str
    priority: int
    enabled: bool
    reply: ReplySpec


@dataclass(frozen=True)
class Matcher:
    version: int
    keyword_rules: tuple[CompiledRule, ...] = ()
    default: CompiledRule | None = None
    follow: CompiledRule | None = None
    skipped: tuple[str, ...] = field(default=())  # rules left out (unsafe pattern), by uid

    def match(self, text: str) -> CompiledRule | None:
        """The first keyword rule (by priority) matching `text`, else the default reply."""
        cleaned = normalise(text)
        if cleaned:
            for rule in self.keyword_rules:
                if rule.matches(cleaned):
                    return rule
        return self.default

    def keyword_match(self, text: str) -> CompiledRule | None:
        cleaned = normalise(text)
        return next((r for r in self.keyword_rules if cleaned and r.matches(cleaned)), None)


def _compile(rule: RuleInput) -> CompiledRule:
    keywords = tuple(normalise(k) for k in split_keywords(rule.patterns))
    regexes: tuple[re.Pattern[str], ...] = ()
    if rule.match_kind == REGEX:
        regexes = tuple(compile_safe(k) for k in split_keywords(rule.patterns))
    return CompiledRule(
        rule_id=rule.rule_id,
        uid=rule.uid,
        name=rule.name,
        priority=rule.priority,
        match_kind=rule.match_kind,
        keywords=keywords,
        regexes=regexes,
        reply=rule.reply,
    )


def _order(rules: Iterable[RuleInput]) -> Sequence[RuleInput]:
    # Lower priority number first; ties go to the older rule so adding one never reorders others.
    return sorted(rules, key=lambda r: (r.priority, r.rule_id))


def build_matcher(rules: Iterable[RuleInput], version: int = 0) -> Matcher:
    keyword: list[CompiledRule] = []
    default = follow = None
    skipped: list[str] = []
    for rule in _order(r for r in rules if r.enabled):
        try:
            compiled = _compile(rule)
        except UnsafePattern:
            skipped.append(rule.uid)  # saved before validation existed; never run it
            continue
        if rule.trigger == "keyword":
            if compiled.keywords:
                keyword.append(compiled)
        elif rule.trigger == "default" and default is None:
            default = compiled
        elif rule.trigger == "follow" and follow is None:
            follow = compiled
    return Matcher(version, tuple(keyword), default, follow, tuple(skipped))
