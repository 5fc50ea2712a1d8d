"""Dedupe keys: equal for WeChat's retries of one push, different for different pushes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shequn.wechat.messages import message_from_fields, parse_message

FIXTURES = Path(__file__).parent / "fixtures" / "callbacks"


def fields_of(name: str) -> dict[str, Any]:
    return dict(parse_message((FIXTURES / f"{name}.xml").read_bytes()).fields)


def key(fields: dict[str, Any]) -> str:
    return message_from_fields(fields).dedupe_key


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.xml")))
def test_a_retry_has_the_same_key(name: str) -> None:
    # A retry is byte-identical; re-parsing must give the same key.
    assert key(fields_of(name)) == key(fields_of(name))


def test_message_key_uses_sender_and_msg_id_not_time() -> None:
    first = fields_of("text__plain")
    later = {**first, "CreateTime": "1714037099"}
    assert key(first) == key(later)
    other_user = {**first, "FromUserName": "o_someone_else"}
    assert key(first) != key(other_user)
    other_msg = {**first, "MsgId": "24567890123456780"}
    assert key(first) != key(other_msg)


def test_message_without_msg_id_falls_back_to_sender_and_time() -> None:
    base = {k: v for k, v in fields_of("text__plain").items() if k != "MsgId"}
    assert key(base) != key({**base, "CreateTime": "1714037060"})


def test_events_in_the_same_second_differ_by_event() -> None:
    location = fields_of("event__location")
    unsubscribe = {**fields_of("event__unsubscribe"), "CreateTime": location["CreateTime"]}
    assert key(location) != key(unsubscribe)


def test_menu_events_in_the_same_second_differ_by_key() -> None:
    click = fields_of("event__click")
    assert key(click) != key({**click, "EventKey": "MENU_OTHER"})


def test_job_results_key_on_their_job_id() -> None:
    template = fields_of("event__templatesendjobfinish_success")
    assert key(template) == key({**template, "CreateTime": "1714040000"})
    assert key(template) != key({**template, "MsgID": "200163837"})
    mass = fields_of("event__masssendjobfinish")
    assert "1000000003" in key(mass)
    publish = fields_of("event__publishjobfinish_success")
    assert "2247503051" in key(publish)


def test_wecom_contact_events_key_on_staff_and_customer() -> None:
    added = fields_of("event__change_external_contact_add")
    assert key(added) != key({**added, "ExternalUserID": "wmOther"})
    assert key(added) != key({**added, "UserID": "lisi"})
    assert key(added) != key({**added, "ChangeType": "del_follow_user"})
    # Re-adding the same customer later is a new event.
    assert key(added) != key({**added, "CreateTime": "1714039000"})


def test_wecom_chat_updates_key_on_member_version() -> None:
    update = fields_of("event__change_external_chat_update_add_member")
    assert key(update) != key({**update, "CurMemVer": "ffff"})
    assert key(update) != key({**update, "ChatId": "wrOtherChat"})


def test_wecom_tag_events_key_on_tag() -> None:
    tag = fields_of("event__change_external_tag_create")
    assert key(tag) != key({**tag, "Id": "etmOther"})


def test_keys_are_scoped_to_the_receiving_account() -> None:
    text = fields_of("text__plain")
    assert key(text) != key({**text, "ToUserName": "gh_another_account"})


def test_unknown_messages_prefer_msg_id() -> None:
    unknown = fields_of("miniprogrampage__unknown_type")
    assert key(unknown) == key({**unknown, "CreateTime": "1"})
    event = fields_of("event__unknown_future_event")
    assert key(event) != key({**event, "CreateTime": "1"})
