"""Factories for the tenant-isolation walk: one object of every inbox model, through services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shequn.inbox import menu_publishing, rules, services
from shequn.inbox.models import Conversation, Message, RuleSetVersion
from tests.channels.factories import make_official_account

NOW = datetime(2025, 6, 15, tzinfo=UTC)


def _oa() -> Any:
    from shequn.channels.models import OfficialAccount

    return (
        OfficialAccount.objects.filter(appid="wx0000000000000001").first()
        or make_official_account()
    )


def _message() -> Message:
    found: Message | None = Message.objects.filter(source_key="walk:inbound").first()
    if found is not None:
        return found
    message = services.record_inbound(
        _oa(),
        "oSakuraInboxWalk",
        kind="text",
        source_key="walk:inbound",
        at=NOW,
        text="sakura-inbox-message-marker",
    )
    assert message is not None
    return message


def _rule() -> Any:
    return rules.create_rule(
        _oa(),
        name="sakura-rule-marker",
        patterns="sakura-keyword-marker",
        reply_kind="text",
        text="sakura-reply-marker",
    )


def factories(built_type: Any) -> dict[str, Any]:
    def wrap(fn: Any, secrets: list[str] | None = None) -> Any:
        return lambda t: built_type(fn(), secrets or [])

    def conversation() -> Conversation:
        return _message().conversation

    def version() -> RuleSetVersion:
        _rule()
        stamp: RuleSetVersion = RuleSetVersion.objects.get(account=_oa())
        return stamp

    def canned() -> Any:
        return services.create_canned_reply("sakura-canned-marker", "sakura-canned-text")

    def menu() -> Any:
        buttons = [{"type": "click", "name": "News", "key": "SAKURA_MENU_MARKER"}]
        return menu_publishing.save_menu(_oa(), name="sakura-menu-marker", buttons=buttons)

    return {
        "inbox.autoreplyrule": wrap(_rule, ["sakura-rule-marker", "sakura-reply-marker"]),
        "inbox.rulesetversion": wrap(version),
        "inbox.conversation": wrap(conversation, ["oSakuraInboxWalk"]),
        "inbox.message": wrap(_message, ["sakura-inbox-message-marker"]),
        "inbox.cannedreply": wrap(canned, ["sakura-canned-marker", "sakura-canned-text"]),
        "inbox.menu": wrap(menu, ["sakura-menu-marker", "SAKURA_MENU_MARKER"]),
    }
