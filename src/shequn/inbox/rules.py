"""Writes on auto-reply rules: validated, audited, and each change bumps the account's version
so every process recompiles its matcher."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels.models import OfficialAccount
from shequn.inbox.autoreply import publish_version, rule_input
from shequn.inbox.matching import (
    MAX_KEYWORDS,
    CompiledRule,
    UnsafePattern,
    build_matcher,
    compile_safe,
    split_keywords,
)
from shequn.inbox.models import AutoReplyRule, ReplyKind, RuleSetVersion

EDITABLE = (
    "name",
    "trigger",
    "match_kind",
    "patterns",
    "priority",
    "enabled",
    "reply_kind",
    "text",
    "media_id",
    "articles",
    "mp_appid",
    "mp_pagepath",
    "mp_title",
    "mp_thumb_media_id",
)
MAX_ARTICLES = 8


class RuleInvalid(ValueError):
    """The rule cannot be saved; `errors` maps field names to translated messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _clean_articles(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    keys = ("title", "description", "url", "pic_url")
    rows = [
        {k: str(a.get(k, "") or "").strip() for k in keys} for a in value if isinstance(a, dict)
    ]
    return [a for a in rows if any(a.values())]


def validate(rule: AutoReplyRule) -> None:
    errors: dict[str, str] = {}
    if not rule.name.strip():
        errors["name"] = _("Give the rule a name.")
    if rule.trigger == AutoReplyRule.Trigger.KEYWORD:
        keywords = split_keywords(rule.patterns)
        if not keywords:
            errors["patterns"] = _("Enter at least one keyword (one per line).")
        elif len(rule.patterns.splitlines()) > MAX_KEYWORDS:
            errors["patterns"] = _("At most %(n)s keywords per rule.") % {"n": MAX_KEYWORDS}
        if rule.match_kind == AutoReplyRule.MatchKind.REGEX:
            for pattern in keywords:
                try:
                    compile_safe(pattern)
                except UnsafePattern as exc:
                    errors["patterns"] = _(
                        "The pattern “%(pattern)s” cannot be used (%(reason)s). Avoid nested "
                        "repetition such as (a+)+ and back-references; keep it under 200 "
                        "characters."
                    ) % {"pattern": pattern[:60], "reason": exc}
                    break
    kind = rule.reply_kind
    if kind == ReplyKind.TEXT and not rule.text.strip():
        errors["text"] = _("Write the reply text.")
    if kind == ReplyKind.TEXT and len(rule.text.encode("utf-8")) > 2048:
        errors["text"] = _("The reply is longer than WeChat's 2048 bytes.")
    if kind == ReplyKind.IMAGE and not rule.media_id.strip():
        errors["media_id"] = _("An image reply needs the media ID of an uploaded image.")
    if kind == ReplyKind.NEWS:
        articles = rule.articles or []
        if not 1 <= len(articles) <= MAX_ARTICLES:
            errors["articles"] = _("A news reply has 1 to 8 articles.")
        elif any(not a.get("title") or not a.get("url") for a in articles):
            errors["articles"] = _("Every article needs a title and a link.")
    if kind == ReplyKind.MINIPROGRAM:
        for name in ("mp_appid", "mp_pagepath", "mp_title", "mp_thumb_media_id"):
            if not str(getattr(rule, name) or "").strip():
                errors[name] = _("Required for a mini program card.")
    if errors:
        raise RuleInvalid(errors)


def _bump(account: OfficialAccount) -> None:
    stamp, _created = RuleSetVersion.objects.get_or_create(account=account)
    RuleSetVersion.objects.filter(pk=stamp.pk).update(version=F("version") + 1)
    version = RuleSetVersion.objects.get(pk=stamp.pk).version
    transaction.on_commit(lambda: publish_version(account.pk, version))


def _apply(rule: AutoReplyRule, values: dict[str, Any]) -> list[str]:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise RuleInvalid({name: _("Unknown field.") for name in sorted(unknown)})
    changed = []
    for name, value in values.items():
        if name == "articles":
            value = _clean_articles(value)
        elif name in ("priority",):
            value = int(value)
        elif name == "enabled":
            value = bool(value)
        elif isinstance(value, str):
            value = value.strip() if name != "text" else value
        if getattr(rule, name) != value:
            setattr(rule, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def create_rule(account: OfficialAccount, **values: Any) -> AutoReplyRule:
    rule = AutoReplyRule(account=account)
    _apply(rule, values)
    validate(rule)
    rule.save()
    _bump(account)
    record("inbox.auto_reply.created", target=rule, data={"name": rule.name})
    return rule


@transaction.atomic
def update_rule(rule: AutoReplyRule, **values: Any) -> AutoReplyRule:
    changed = _apply(rule, values)
    if changed:
        validate(rule)
        rule.save()
        _bump(rule.account)
        record("inbox.auto_reply.updated", target=rule, data={"fields": sorted(changed)})
    return rule


@transaction.atomic
def delete_rule(rule: AutoReplyRule) -> None:
    account = rule.account
    record("inbox.auto_reply.deleted", target=rule, data={"name": rule.name})
    rule.delete()
    _bump(account)


@transaction.atomic
def move_rule(rule: AutoReplyRule, direction: str) -> None:
    """Swap with the neighbouring keyword rule ("up" answers first), renumbering 10, 20, ..."""
    rules = list(
        AutoReplyRule.objects.filter(account=rule.account, trigger=rule.trigger).order_by(
            "priority", "id"
        )
    )
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rules):
        return
    rules[index], rules[other] = rules[other], rules[index]
    for position, r in enumerate(rules, start=1):
        if r.priority != position * 10:
            AutoReplyRule.objects.filter(pk=r.pk).update(priority=position * 10)
    _bump(rule.account)
    record("inbox.auto_reply.reordered", target=rule, data={"direction": direction})


def try_text(account: OfficialAccount, text: str) -> CompiledRule | None:
    """Which rule would answer `text` now (the console's "try it" box); reads the saved rules."""
    rules = AutoReplyRule.objects.filter(account=account)
    return build_matcher([rule_input(r) for r in rules]).match(text)
