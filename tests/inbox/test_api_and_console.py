"""The inbox API and console pages with two tenants: B never sees A's conversations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shequn.accounts import services as account_services
from shequn.inbox import rules, services
from shequn.inbox.models import AutoReplyRule, Conversation, Message
from tests.channels.factories import make_official_account
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.django_db


def _conversation(t: Tenant, text: str, openid: str = "oHana") -> Conversation:
    with t.scope(), as_owner(t):
        account = make_official_account(appid=f"wx{t.workspace.slug[:14]:0<16}")
        message = services.record_inbound(
            account,
            openid,
            kind="text",
            source_key=f"test:{openid}:{text}",
            at=timezone.now(),
            text=text,
        )
        assert message is not None
        return message.conversation


def _token(t: Tenant) -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("inbox-test", ["write"], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_api_lists_only_own_conversations_and_refuses_others(world: World) -> None:
    a = _conversation(world.a, "sakura serum question")
    _conversation(world.b, "longjing tea question")
    a_api, b_api = _token(world.a), _token(world.b)
    items = a_api.get("/api/v1/inbox/conversations").json()["items"]
    assert [c["last_message_preview"] for c in items] == ["sakura serum question"]
    assert items[0]["messages_left"] == 5
    b_items = b_api.get("/api/v1/inbox/conversations").json()["items"]
    assert "sakura" not in str(b_items)
    assert b_api.get(f"/api/v1/inbox/conversations/{a.uid}/messages").status_code == 404
    refused = b_api.post(
        f"/api/v1/inbox/conversations/{a.uid}/replies",
        {"text": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    found = a_api.get("/api/v1/inbox/conversations", {"q": "serum"}).json()["items"]
    assert len(found) == 1
    assert a_api.get("/api/v1/inbox/conversations", {"q": "nothing"}).json()["items"] == []


def test_api_reply_within_window_and_refusal_outside(world: World) -> None:
    a = _conversation(world.a, "hi")
    api = _token(world.a)
    sent = api.post(
        f"/api/v1/inbox/conversations/{a.uid}/replies",
        {"text": "Hello!"},
        content_type="application/json",
    )
    assert sent.status_code == 202
    assert sent.json()["delivery"] == "pending"
    with world.a.scope():
        Conversation.objects.filter(pk=a.pk).update(
            message_window_until=datetime(2020, 1, 1, tzinfo=UTC)
        )
    closed = api.post(
        f"/api/v1/inbox/conversations/{a.uid}/replies",
        {"text": "Late"},
        content_type="application/json",
    )
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "reply_window_closed"
    with world.a.scope():
        assert Message.objects.filter(direction="out").count() == 1


def test_api_assign_and_filter_by_assignee(world: World) -> None:
    a = _conversation(world.a, "hi")
    api = _token(world.a)
    operator = world.a.operator.user
    done = api.post(
        f"/api/v1/inbox/conversations/{a.uid}/assign",
        {"user_uid": str(operator.uid)},
        content_type="application/json",
    )
    assert done.json()["assignee_uid"] == str(operator.uid)
    mine = api.get("/api/v1/inbox/conversations", {"assigned": str(operator.uid)}).json()
    assert len(mine["items"]) == 1
    assert api.get("/api/v1/inbox/conversations", {"assigned": "unassigned"}).json()["items"] == []
    outsider = world.b.owner
    refused = api.post(
        f"/api/v1/inbox/conversations/{a.uid}/assign",
        {"user_uid": str(outsider.uid)},
        content_type="application/json",
    )
    assert refused.status_code == 404


def test_api_rules_crud_validates_regex(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
    api = _token(world.a)
    bad = api.post(
        "/api/v1/inbox/auto-replies",
        {
            "account_uid": str(account.uid),
            "name": "R",
            "match_kind": "regex",
            "patterns": "(a+)+$",
            "text": "x",
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "patterns" in bad.json()["error"]["details"]["fields"]
    ok = api.post(
        "/api/v1/inbox/auto-replies",
        {"account_uid": str(account.uid), "name": "Price", "patterns": "price", "text": "380"},
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert _token(world.b).get("/api/v1/inbox/auto-replies").json()["items"] == []


def test_console_pages_for_each_role_and_tenant_b_gets_404(world: World, client_for) -> None:
    a = _conversation(world.a, "sakura-console-marker")
    viewer = client_for(world.a.viewer)
    listing = viewer.get("/w/sakura/inbox/").content.decode()
    assert "sakura-console-marker" in listing
    page = viewer.get(f"/w/sakura/inbox/c/{a.uid}/").content.decode()
    assert "sakura-console-marker" in page
    assert "WeChat accepts 5 more messages" in page
    assert 'name="text"' not in page  # viewers cannot reply
    operator = client_for(world.a.operator)
    assert 'name="text"' in operator.get(f"/w/sakura/inbox/c/{a.uid}/").content.decode()
    outsider = client_for(world.b.owner)
    assert outsider.get(f"/w/longjing/inbox/c/{a.uid}/").status_code == 404
    assert "sakura-console-marker" not in outsider.get("/w/longjing/inbox/").content.decode()
    for path in ("auto-replies/", "menus/", "canned/"):
        assert viewer.get(f"/w/sakura/inbox/{path}").status_code == 200


def test_console_reply_refused_outside_window_shows_the_reason(world: World, client_for) -> None:
    a = _conversation(world.a, "hi")
    with world.a.scope():
        Conversation.objects.filter(pk=a.pk).update(message_window_until=None)
    client = client_for(world.a.operator)
    answer = client.post(f"/w/sakura/inbox/c/{a.uid}/reply/", {"text": "late"}, follow=True)
    assert "48 hours" in answer.content.decode()
    with world.a.scope():
        assert not Message.objects.filter(direction="out").exists()


def test_try_it_box_names_the_matching_rule(world: World, client_for) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
        rules.create_rule(
            account, name="Price rule", patterns="price", match_kind="contains", text="380 yuan"
        )
    client = client_for(world.a.operator)
    html = client.get(
        "/w/sakura/inbox/auto-replies/", {"account": account.uid, "text": "the price?"}
    ).content.decode()
    assert "Price rule" in html
    assert "380 yuan" in html
    html = client.get(
        "/w/sakura/inbox/auto-replies/", {"account": account.uid, "text": "hello"}
    ).content.decode()
    assert "No rule answers this message" in html


def test_rule_changes_are_audited_and_invalidate_the_matcher(
    world: World,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from shequn.audit.models import AuditEvent
    from shequn.inbox.autoreply import matchers

    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
        rule = rules.create_rule(account, name="P", patterns="price", text="one")
    first = matchers.get(world.a.workspace.pk, account.pk)
    assert first.match("price").reply.text == "one"  # type: ignore[union-attr]
    with (
        world.a.scope(),
        as_owner(world.a),
        django_capture_on_commit_callbacks(execute=True),
    ):
        rules.update_rule(rule, text="two")
        actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert matchers.get(world.a.workspace.pk, account.pk).match("price").reply.text == "two"  # type: ignore[union-attr]
    assert "inbox.auto_reply.created" in actions
    assert "inbox.auto_reply.updated" in actions
    with world.a.scope():
        assert AutoReplyRule.objects.count() == 1
