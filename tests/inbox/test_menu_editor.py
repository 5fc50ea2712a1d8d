"""The menu editor: buttons as form rows (add, remove, reorder), limits next to each field,
conditional rules, save as draft, publish to the sandbox and the errors WeChat gives."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shequn.channels import services as channel_services
from shequn.inbox import menu_editor, rules
from shequn.inbox.models import Menu, Message
from tests.channels.factories import make_official_account
from tests.conftest import World
from tests.inbox.conftest import Wired
from tests.ingest.conftest import as_owner

# -- the operations, without a page ---------------------------------------------------------


def test_add_remove_and_reorder_within_wechat_limits() -> None:
    buttons: list[dict[str, Any]] = []
    for _ in range(5):
        menu_editor.apply(buttons, "add")
    assert len(buttons) == 3  # never more than 3 top-level buttons
    for i, b in enumerate(buttons):
        b["name"] = f"B{i}"
    for _ in range(7):
        menu_editor.apply(buttons, "add-sub:1")
    assert len(buttons[1]["sub_button"]) == 5
    assert buttons[1]["type"] == ""  # a parent opens its sub-menu, it has no action
    menu_editor.apply(buttons, "down:0")
    assert [b["name"] for b in buttons] == ["B1", "B0", "B2"]
    menu_editor.apply(buttons, "up:0")  # already first: nothing moves
    menu_editor.apply(buttons, "up:2")
    assert [b["name"] for b in buttons] == ["B1", "B2", "B0"]
    subs = buttons[0]["sub_button"]
    for j, s in enumerate(subs):
        s["name"] = f"S{j}"
    menu_editor.apply(buttons, "down:0.0")
    assert [s["name"] for s in subs][:2] == ["S1", "S0"]
    for _ in range(5):
        menu_editor.apply(buttons, "remove:0.0")
    assert "sub_button" not in buttons[0]
    assert buttons[0]["type"] == "click"  # a button again
    menu_editor.apply(buttons, "remove:2")
    assert [b["name"] for b in buttons] == ["B1", "B2"]


def test_posted_rows_become_buttons_and_a_rule_sets_the_key() -> None:
    data = {
        "rows": "2",
        "b0-name": "今日推荐",
        "b0-type": "click",
        "b0-key": "",
        "b0-rule": "rule-uid",
        "b0-subs": "0",
        "b1-name": "More",
        "b1-subs": "1",
        "b1-0-name": "Shop",
        "b1-0-type": "view",
        "b1-0-url": " https://shop.example.com ",
    }
    buttons = menu_editor.buttons_from_post(data, {"rule-uid": "TODAY"})
    assert buttons[0]["key"] == "TODAY"
    assert buttons[1]["sub_button"][0]["url"] == "https://shop.example.com"
    rows = menu_editor.rows(buttons, {"0.name": ["too long"]}, {"TODAY": "rule-uid"})
    assert rows[0].name.size == 12
    assert rows[0].name.limit == 16
    assert rows[0].name.errors == ["too long"]
    assert rows[0].rule == "rule-uid"
    assert rows[1].is_parent
    assert rows[1].subs[0].name.limit == 60


# -- the console page -------------------------------------------------------------------------


def _form(account_uid: str, **fields: str) -> dict[str, str]:
    return {"account": account_uid, "name": "Main", "kind": "default", **fields}


@pytest.mark.django_db
def test_the_editor_page_adds_rows_with_htmx_and_shows_limits_by_the_field(
    world: World, client_for: Any
) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
    client: Client = client_for(world.a.operator)
    url = f"/w/sakura/inbox/menus/new/?account={account.uid}"
    page = client.get(url).content.decode()
    assert 'name="b0-name"' in page
    assert "menu-phone" in page  # the phone preview
    assert "0 / 16 bytes" in page

    base = _form(str(account.uid), rows="1", **{"b0-name": "A", "b0-type": "click"})
    partial = client.post(url, {**base, "b0-key": "K", "op": "add"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.startswith("<form")  # only the editor is swapped, not the page
    assert 'name="b1-name"' in html
    assert 'value="K"' in html  # what was typed is kept

    too_long = client.post(
        url,
        _form(
            str(account.uid),
            rows="1",
            op="save",
            **{"b0-name": "会员中心入口", "b0-type": "view", "b0-url": "ftp://x"},
        ),
    ).content.decode()
    assert "18 / 16 bytes" in too_long
    assert "about 5 Chinese characters" in too_long
    assert "starting with https://" in too_long
    assert "WeChat would refuse this menu: 2 problems" in too_long
    with world.a.scope():
        assert not Menu.objects.exists()


@pytest.mark.django_db
def test_saving_a_draft_stores_clean_buttons_and_editing_keeps_them(
    world: World, client_for: Any
) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
        rule = rules.create_rule(account, name="Today", patterns="TODAY", text="Fresh tea today")
    client: Client = client_for(world.a.operator)
    fields = {
        "rows": "2",
        "b0-name": "今日推荐",
        "b0-type": "click",
        "b0-rule": str(rule.uid),
        "b1-name": "More",
        "b1-subs": "1",
        "b1-0-name": "Shop",
        "b1-0-type": "view",
        "b1-0-url": "https://shop.example.com",
    }
    answer = client.post("/w/sakura/inbox/menus/new/", _form(str(account.uid), op="save", **fields))
    assert answer.status_code == 302
    with world.a.scope():
        menu = Menu.objects.get()
    assert menu.buttons == [
        {"type": "click", "name": "今日推荐", "key": "TODAY"},
        {
            "name": "More",
            "sub_button": [{"type": "view", "name": "Shop", "url": "https://shop.example.com"}],
        },
    ]
    page = client.get(f"/w/sakura/inbox/menus/{menu.uid}/").content.decode()
    assert 'value="今日推荐"' in page
    assert f'value="{rule.uid}" selected' in page  # answered by the auto-reply
    # Editing the existing menu: the account is not asked again.
    edited = client.post(
        f"/w/sakura/inbox/menus/{menu.uid}/",
        {"name": "Main v2", "kind": "default", "op": "save", **fields},
    )
    assert edited.status_code == 302
    menu.refresh_from_db()
    assert menu.name == "Main v2"


@pytest.mark.django_db
def test_advanced_json_loads_into_the_rows(world: World, client_for: Any) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
    client: Client = client_for(world.a.operator)
    url = f"/w/sakura/inbox/menus/new/?account={account.uid}"
    page = client.post(
        url,
        _form(
            str(account.uid),
            rows="0",
            op="json",
            buttons_json='{"button": [{"type": "click", "name": "News", "key": "NEWS"}]}',
        ),
    ).content.decode()
    assert 'value="News"' in page
    broken = client.post(
        url, _form(str(account.uid), rows="0", op="json", buttons_json="[")
    ).content
    assert b"not valid JSON" in broken


@pytest.mark.django_db
def test_viewers_cannot_edit_and_tenant_b_cannot_see(world: World, client_for: Any) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
        from shequn.inbox import menu_publishing

        menu = menu_publishing.save_menu(
            account, name="M", buttons=[{"type": "click", "name": "N", "key": "K"}]
        )
    assert client_for(world.a.viewer).get("/w/sakura/inbox/menus/new/").status_code == 403
    outsider = client_for(world.b.owner)
    assert outsider.get(f"/w/longjing/inbox/menus/{menu.uid}/").status_code == 404


# -- publishing to the sandbox ------------------------------------------------------------------


def test_save_and_publish_reaches_the_sandbox_and_a_click_is_answered_by_its_rule(
    wired: Wired, client_for: Any
) -> None:
    with wired.tenant.scope(), as_owner(wired.tenant):
        rule = rules.create_rule(
            wired.account, name="Today", patterns="TODAY", text="Fresh tea today"
        )
    client: Client = client_for(wired.tenant.operator)
    fields = {
        "rows": "2",
        "b0-name": "今日推荐",
        "b0-type": "click",
        "b0-rule": str(rule.uid),
        "b1-name": "More",
        "b1-subs": "2",
        "b1-0-name": "Shop",
        "b1-0-type": "view",
        "b1-0-url": "https://shop.example.com",
        "b1-1-name": "Scan",
        "b1-1-type": "scancode_push",
        "b1-1-key": "SCAN",
    }
    answer = client.post(
        "/w/sakura/inbox/menus/new/",
        _form(str(wired.account.uid), op="publish", **fields),
        follow=True,
    )
    assert "Menu published" in answer.content.decode()
    with wired.tenant.scope(), channel_services.official_account_client(wired.account) as wechat:
        current = wechat.menus.current_selfmenu_info()
    names = [b["name"] for b in current["selfmenu_info"]["button"]]
    assert names == ["今日推荐", "More"]
    assert [s["name"] for s in current["selfmenu_info"]["button"][1]["sub_button"]] == [
        "Shop",
        "Scan",
    ]
    wired.phone.act("follow")
    wired.phone.act("click", event_key="TODAY")
    assert "Fresh tea today" in str(wired.phone.received())
    with wired.tenant.scope():
        assert Message.objects.filter(kind="menu_click", text="TODAY").exists()


def test_a_publish_error_is_explained_on_the_editor(wired: Wired, client_for: Any) -> None:
    client: Client = client_for(wired.tenant.operator)
    answer = client.post(
        "/w/sakura/inbox/menus/new/",
        {
            "account": str(wired.account.uid),
            "name": "Android only",
            "kind": "conditional",
            "client_platform_type": "2",
            "rows": "1",
            "b0-name": "News",
            "b0-type": "click",
            "b0-key": "NEWS",
            "op": "publish",
        },
        follow=True,
    )
    page = answer.content.decode()
    assert "Saved as a draft, but not published" in page
    assert "Publish the default menu before adding conditional menus." in page
    assert "65303" in page
    with wired.tenant.scope():
        menu = Menu.objects.get()
    assert menu.published_at is None
    assert answer.redirect_chain[-1][0].endswith(f"/menus/{menu.uid}/")
