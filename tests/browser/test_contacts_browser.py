"""The contacts console in a real browser: list, filter with htmx, open a profile, add a tag."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shequn.contacts import queries, services
from shequn.contacts.models import Identity
from tests.browser.test_console_browser import browser_page, shot  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_filter_the_list_open_a_profile_and_add_a_tag(
    transactional_db: None,
    live_server: Any,
    world: Any,
    browser_page: Any,  # noqa: F811 - the fixture imported above
) -> None:
    page = browser_page
    with world.a.scope():
        for openid, name, stage in (
            ("oMei", "Mei Tanaka", "customer"),
            ("oLi", "Li Wei", "new"),
            ("oYuki", "Yuki Sato", "customer"),
        ):
            contact = services.contact_for_identity(Identity.Kind.OA_OPENID, openid, "oa:demo")
            services.touch(contact, "oa:demo", "poster42", AT)
            services.update_profile(contact, display_name=name, lifecycle_stage=stage)
            services.add_timeline_event(
                contact,
                "followed",
                channel_ref="oa:demo",
                occurred_at=AT,
                source_key=f"browser:{openid}",
                data={"scene": "poster42"},
            )
    operator = world.a.operator.user

    page.goto(f"{live_server.url}/w/sakura/contacts/")
    page.get_by_label("E-mail address").fill(operator.email)
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/sakura/contacts/")
    results = page.locator("#contact-results")
    assert results.get_by_role("link", name="Li Wei").is_visible()
    shot(page, "contacts-01-list")

    # Choosing a stage swaps only the results (htmx) and keeps the filter in the address.
    page.get_by_label("Lifecycle stage").select_option("customer")
    page.wait_for_url("**lifecycle=customer**")
    results.get_by_text("2 contacts").wait_for()
    assert results.get_by_role("link", name="Li Wei").count() == 0
    shot(page, "contacts-02-filtered")

    results.get_by_role("link", name="Mei Tanaka").click()
    page.wait_for_url("**/w/sakura/contacts/*/")
    assert page.get_by_role("heading", name="Mei Tanaka", level=1).is_visible()
    assert page.get_by_text("Followed the official account").is_visible()
    shot(page, "contacts-03-profile")

    page.get_by_label("or a new tag").fill("Autumn fair")
    page.locator("#tags").locator("..").get_by_role("button", name="Add tag").click()
    page.get_by_text("Tag “Autumn fair” added.").wait_for()
    assert page.locator("[data-tags]").get_by_text("Autumn fair").is_visible()
    shot(page, "contacts-04-tagged")
    with world.a.scope():
        tagged = queries.contacts_with_tag(queries.tags_with_counts().get(name="Autumn fair"))
        assert [c.display_name for c in tagged] == ["Mei Tanaka"]
