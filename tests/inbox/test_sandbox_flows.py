"""End to end against the sandbox: what the customer's phone shows after each action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from shequn.inbox import rules, services
from shequn.inbox.models import Conversation, Message
from tests.inbox.conftest import Wired, drain
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.slow


def _rule(w: Wired, **values: Any) -> None:
    with w.tenant.scope(), as_owner(w.tenant):
        rules.create_rule(w.account, **values)


def test_keyword_reply_arrives_once_passively(wired: Wired) -> None:
    _rule(
        wired,
        name="Price",
        patterns="price\n价格",
        match_kind="contains",
        reply_kind="text",
        text="Our serum is 380 yuan.",
    )
    wired.phone.act("follow")
    outcome = wired.phone.act("text", content="What is the price?")
    assert outcome["delivery"]["status"] in ("ok", "delivered", "answered") or outcome["delivery"]
    got = wired.phone.received()
    texts = [m for m in got if "380 yuan" in str(m)]
    assert len(texts) == 1, got
    assert wired.phone.received("passive")
    assert not wired.phone.received("custom")
    with wired.tenant.scope():
        conversation = Conversation.objects.get()
        kinds = list(
            Message.objects.filter(conversation=conversation)
            .values_list("direction", "kind", "delivery")
            .order_by("id")
        )
    assert ("in", "text", "received") in kinds
    assert ("out", "text", "passive") in kinds
    assert conversation.unread_count == 1


def test_follow_welcome_arrives_once(wired: Wired) -> None:
    _rule(wired, name="Welcome", trigger="follow", reply_kind="text", text="Welcome to Sakura!")
    wired.phone.act("follow")
    got = [m for m in wired.phone.received() if "Welcome to Sakura" in str(m)]
    assert len(got) == 1


def test_mini_program_welcome_goes_through_customer_service_once(wired: Wired) -> None:
    _rule(
        wired,
        name="Card",
        trigger="follow",
        reply_kind="miniprogram",
        mp_appid="wxmini0001",
        mp_pagepath="pages/index",
        mp_title="Our shop",
        mp_thumb_media_id="THUMB1",
    )
    wired.phone.act("follow")
    assert not wired.phone.received("passive")
    custom = wired.phone.received("custom")
    assert len(custom) == 1
    assert "Our shop" in str(custom[0])


def test_operator_reply_reaches_the_customer(wired: Wired) -> None:
    wired.phone.act("follow")
    wired.phone.act("text", content="Is the serum in stock?")
    with wired.tenant.scope(), as_owner(wired.tenant):
        conversation = Conversation.objects.get()
        services.send_text(conversation, "Yes, ships tomorrow.", by=wired.tenant.owner)
    drain()
    custom = wired.phone.received("custom")
    assert len(custom) == 1
    assert "ships tomorrow" in str(custom[0])
    with wired.tenant.scope():
        sent = Message.objects.get(direction="out")
    assert sent.delivery == "sent"


def test_outside_48_hours_refused_and_nothing_sent(wired: Wired) -> None:
    wired.phone.act("follow")
    wired.phone.act("text", content="hello")
    later = timezone.now() + timedelta(hours=49)
    with time_machine.travel(later), wired.tenant.scope(), as_owner(wired.tenant):
        conversation = Conversation.objects.get()
        with pytest.raises(services.ReplyRefused, match="48 hours"):
            services.send_text(conversation, "Sorry for the wait")
    drain()
    assert not wired.phone.received("custom")
    with wired.tenant.scope():
        assert not Message.objects.filter(direction="out").exists()


def test_menu_publish_read_back_and_click_creates_an_inbox_entry(wired: Wired) -> None:
    from shequn.inbox import menu_publishing

    buttons = [
        {"type": "click", "name": "今日推荐", "key": "TODAY"},
        {
            "name": "More",
            "sub_button": [{"type": "view", "name": "Shop", "url": "https://shop.example.com"}],
        },
    ]
    with wired.tenant.scope(), as_owner(wired.tenant):
        menu = menu_publishing.save_menu(wired.account, name="Main", buttons=buttons)
        menu_publishing.publish(menu)
    with wired.tenant.scope():
        back = menu_publishing.read_back(wired.account, [menu])
    assert [b["name"] for b in back.default] == ["今日推荐", "More"]
    assert back.drift == {str(menu.uid): False}
    wired.phone.act("follow")
    wired.phone.act("click", event_key="TODAY")
    with wired.tenant.scope():
        entry = Message.objects.get(kind="menu_click")
        conversation = entry.conversation
    assert entry.text == "TODAY"
    assert conversation.unread_count == 1
    assert services.windows_of(conversation).messages_left(timezone.now()) >= 1


def test_conditional_menu_needs_default_first_with_a_clear_error(wired: Wired) -> None:
    from shequn.inbox import menu_publishing

    buttons = [{"type": "click", "name": "VIP", "key": "VIP"}]
    with wired.tenant.scope(), as_owner(wired.tenant):
        menu = menu_publishing.save_menu(
            wired.account, name="VIP", buttons=buttons, kind="conditional", tag_id="100"
        )
        with pytest.raises(menu_publishing.MenuRefused, match="65303"):
            menu_publishing.publish(menu)
        menu.refresh_from_db()
    assert "default menu" in menu.last_error
