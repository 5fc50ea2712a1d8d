"""The console in a real browser: sign in, switch language and workspace, read the audit log."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shequn.tenancy import services as tenancy_services
from shequn.tenancy.roles import Role

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # plain synchronous code all the same.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_sign_in_switch_language_and_workspace(
    transactional_db: None, live_server: Any, world: Any, browser_page: Any
) -> None:
    page = browser_page
    owner = world.b.owner
    # The agency's owner runs both brands: the switcher must offer the second one.
    tenancy_services.add_member(world.a.workspace, owner, Role.ADMIN)

    page.goto(f"{live_server.url}/")
    assert "/accounts/sign-in/" in page.url
    # Workspaces are listed by organisation, then name: Longjing Tea comes first.
    shot(page, "01-sign-in")
    page.get_by_label("E-mail address").fill(owner.email)
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/longjing/overview/")
    assert page.get_by_role("heading", name="Overview", level=1).is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "02-overview-en")

    page.get_by_label("Language").click()
    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", name="概要", level=1).is_visible()
    assert page.get_by_role("link", name="受信箱").is_visible()
    shot(page, "03-overview-ja")

    page.get_by_label("言語").click()
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="概览", level=1).is_visible()
    assert page.get_by_role("link", name="社群").is_visible()
    page.get_by_role("link", name="收件箱").click()
    page.wait_for_url("**/w/longjing/inbox/")
    shot(page, "04-inbox-zh")

    page.locator(".switcher > summary").click()
    shot(page, "05-switcher-open-zh")
    page.get_by_role("link", name="Sakura Cosmetics").click()
    # The same area in the other workspace.
    page.wait_for_url("**/w/sakura/inbox/")
    assert "Sakura Cosmetics" in page.locator(".switcher-name").inner_text()

    page.get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/w/sakura/settings/audit/")
    assert page.get_by_role("heading", name="审计日志", level=1).is_visible()
    assert page.locator("#audit-results").get_by_text("member.added").first.is_visible()
    shot(page, "06-audit-zh")

    # Filtering swaps only the table (htmx) and keeps the filter in the address.
    page.get_by_label("操作", exact=True).select_option("workspace.created")
    page.wait_for_url("**action=workspace.created**")
    page.wait_for_function(
        "() => !document.querySelector('#audit-results').textContent.includes('member.added')"
    )
    assert page.locator("#audit-results").get_by_text("workspace.created").first.is_visible()
    shot(page, "07-audit-filtered-zh")

    page.get_by_label("语言").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/w/sakura/settings/members/")
    shot(page, "08-members-en")
    page.goto(f"{live_server.url}/w/sakura/settings/tokens/")
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Issue token").click()
    assert page.locator("#new-token").input_value().startswith("shq_")
    shot(page, "09-tokens-en")

    # A narrow window still shows the whole navigation and the switchers.
    page.set_viewport_size({"width": 420, "height": 820})
    page.goto(f"{live_server.url}/w/sakura/overview/")
    assert page.get_by_role("link", name="Audit log").count() == 1
    shot(page, "10-overview-narrow-en")
