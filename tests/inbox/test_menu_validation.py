"""Menu limits are enforced before WeChat is called, each with a clear message."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from shequn.inbox.menus import MENU_ERRORS, MenuInvalid, menu_error_message, validate_buttons


def click(name: str = "News", key: str = "K") -> dict[str, Any]:
    return {"type": "click", "name": name, "key": key}


def problems(buttons: Any) -> str:
    with pytest.raises(MenuInvalid) as info:
        validate_buttons(buttons)
    return " | ".join(info.value.problems)


def test_a_valid_menu_with_every_button_kind_passes() -> None:
    subs = [
        {"type": "view", "name": "Shop", "url": "https://shop.example.com"},
        {
            "type": "miniprogram",
            "name": "Mini",
            "appid": "wxabc",
            "pagepath": "pages/i",
            "url": "https://example.com",
        },
        {"type": "scancode_push", "name": "Scan", "key": "S1"},
        {"type": "scancode_waitmsg", "name": "Scan2", "key": "S2"},
        {"type": "pic_sysphoto", "name": "Photo", "key": "P1"},
    ]
    more = [
        {"type": "pic_photo_or_album", "name": "Album", "key": "P2"},
        {"type": "pic_weixin", "name": "WX", "key": "P3"},
        {"type": "location_select", "name": "Where", "key": "L1"},
        {"type": "media_id", "name": "Media", "media_id": "M1"},
        {"type": "article_id", "name": "Art", "article_id": "A1"},
    ]
    buttons = [
        {"name": "Visit", "sub_button": subs},
        {"name": "More", "sub_button": more},
        {"type": "article_view_limited", "name": "Read", "article_id": "A2"},
    ]
    assert len(validate_buttons(buttons)) == 3


def test_counts() -> None:
    assert "at most 3" in problems([click()] * 4)
    assert "at least one" in problems([])
    assert "6 sub-buttons" in problems([{"name": "M", "sub_button": [click()] * 6}])


def test_byte_lengths_of_names_keys_and_urls() -> None:
    assert "16" in problems([click(name="会员中心入口")])  # 6 Chinese characters = 18 bytes
    validate_buttons([click(name="会员中心")])  # 12 bytes is fine
    assert "60" in problems([{"name": "M", "sub_button": [click(name="字" * 21)]}])
    assert "128" in problems([click(key="k" * 129)])
    long_url = "https://example.com/" + "a" * 1010
    assert "1024" in problems([{"type": "view", "name": "V", "url": long_url}])


def test_required_fields_per_kind() -> None:
    assert "key is required" in problems([{"type": "click", "name": "C"}])
    assert "https://" in problems([{"type": "view", "name": "V", "url": "ftp://x"}])
    assert "AppID" in problems(
        [{"type": "miniprogram", "name": "M", "url": "https://e.com", "pagepath": "p"}]
    )
    assert "media ID" in problems([{"type": "media_id", "name": "M"}])
    assert "article ID" in problems([{"type": "article_id", "name": "A"}])
    assert "button type" in problems([{"type": "teleport", "name": "T"}])
    assert "cannot have sub-buttons" in problems(
        [{"name": "M", "sub_button": [{"name": "S", "sub_button": [click()]}]}]
    )


def test_every_known_wechat_menu_error_has_a_translated_message() -> None:
    for code in (40016, 40018, 40025, 45064, 65303, 65320):
        assert code in MENU_ERRORS
        assert str(code) in menu_error_message(code)
    with translation.override("ja"):
        text = menu_error_message(65303)
    assert "65303" in text
    assert "Publish the default menu" not in text
    assert "99999" in menu_error_message(99999, "strange")
