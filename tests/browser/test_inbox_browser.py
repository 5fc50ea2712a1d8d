"""The inbox in a real browser against the sandbox WeChat: a customer writes, an operator answers
from the queue; a keyword auto-reply answers by itself; a menu built in the editor is published."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from shequn.channels import services as channel_services
from tests.browser.test_console_browser import browser_page, shot
from tests.inbox.conftest import (  # fixtures of the inbox's sandbox wiring
    OPENID,
    Wired,
    _fresh_caches,
    drain,
    sandbox_url,
    wired,
)
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.browser

__all__ = ["_fresh_caches", "browser_page", "sandbox_url", "wired"]


def signed_in(page: Any, base_url: str, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )
    return page


def test_a_customer_message_reaches_the_queue_and_the_answer_reaches_the_phone(
    wired: Wired, live_server: Any, browser_page: Any
) -> None:
    page = signed_in(browser_page, live_server.url, wired.tenant.operator.user)
    wired.phone.act("follow")
    wired.phone.act("text", content="Do you ship to Osaka?")

    page.goto(f"{live_server.url}/w/sakura/inbox/")
    page.get_by_text("Do you ship to Osaka?").first.wait_for()
    shot(page, "inbox-01-queue")
    page.get_by_role("link", name=OPENID).click()
    page.wait_for_url("**/inbox/c/**")
    page.locator("#reply-text").fill("Yes, in two days.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Yes, in two days.").first.wait_for()
    shot(page, "inbox-02-answered")

    drain()
    custom = wired.phone.received("custom")
    assert "Yes, in two days." in str(custom)


def test_a_keyword_auto_reply_made_in_the_console_answers_the_customer(
    wired: Wired, live_server: Any, browser_page: Any
) -> None:
    page = signed_in(browser_page, live_server.url, wired.tenant.operator.user)
    page.goto(f"{live_server.url}/w/sakura/inbox/auto-replies/new/?account={wired.account.uid}")
    page.locator("[name=name]").fill("Price")
    page.locator("[name=patterns]").fill("price")
    page.locator("[name=text]").fill("The serum is 380 yuan.")
    shot(page, "inbox-03-auto-reply-form")
    page.locator("form.stack-form button[type=submit]").last.click()
    page.wait_for_url("**/inbox/auto-replies/?account=*")
    page.get_by_role("cell", name="Price", exact=True).wait_for()
    shot(page, "inbox-04-auto-replies")

    wired.phone.act("follow")
    outcome = wired.phone.act("text", content="price")
    assert "380 yuan" in str(outcome) + str(wired.phone.received())


def test_a_menu_built_in_the_editor_is_published_to_the_sandbox(
    wired: Wired, live_server: Any, browser_page: Any
) -> None:
    page = signed_in(browser_page, live_server.url, wired.tenant.operator.user)
    page.goto(f"{live_server.url}/w/sakura/inbox/menus/new/?account={wired.account.uid}")
    page.locator("[name=name]").fill("Main menu")
    page.locator("[name=b0-name]").fill("今日推荐")
    page.locator("[name=b0-key]").fill("TODAY")

    page.get_by_role("button", name="Add a button").click()
    page.locator("[name=b1-name]").wait_for()
    assert page.locator("[name=b0-key]").input_value() == "TODAY"  # kept across the swap
    page.locator("[name=b1-name]").fill("会员中心入口")  # 18 bytes: too long for a top button
    assert "18 / 16 bytes" in page.locator("#b1-name-bytes").inner_text()
    page.locator("[name=b1-name]").fill("会员")
    page.get_by_role("button", name="Turn into a sub-menu").last.click()
    page.locator("[name=b1-0-name]").wait_for()
    page.locator("[name=b1-0-name]").fill("Shop")
    page.locator("[name=b1-0-type]").select_option("view")
    page.locator("[name=b1-0-url]").wait_for()
    page.locator("[name=b1-0-url]").fill("https://shop.example.com")
    page.get_by_role("button", name="Add a sub-button").click()
    page.locator("[name=b1-1-name]").wait_for()
    page.locator("[name=b1-1-name]").fill("Points")
    page.locator("[name=b1-1-key]").fill("POINTS")
    # The preview shows the bar and the open sub-menu.
    assert page.locator(".menu-phone-item").count() == 2
    assert page.locator(".menu-phone-pop span").count() == 2
    shot(page, "menus-01-editor")

    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url("**/inbox/menus/?account=*")
    page.get_by_text("Menu published").wait_for()
    shot(page, "menus-02-published")

    with (
        wired.tenant.scope(),
        as_owner(wired.tenant),
        channel_services.official_account_client(wired.account) as wechat,
    ):
        current = wechat.menus.current_selfmenu_info()
    buttons = current["selfmenu_info"]["button"]
    assert [b["name"] for b in buttons] == ["今日推荐", "会员"]
    assert [s["name"] for s in buttons[1]["sub_button"]] == ["Shop", "Points"]

    wired.phone.act("follow")
    page.goto(f"{wired.sandbox}/phone/?customer={OPENID}")
    page.get_by_text(wired.account.name).first.click()
    page.get_by_text("今日推荐").first.wait_for()
    shot(page, "menus-03-sandbox-phone")
