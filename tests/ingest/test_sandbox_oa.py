"""Official account end to end: the sandbox pushes safe-mode callbacks to Shequn's live server;
the worker turns them into contacts, follower state and timeline entries, once each, whatever
the sandbox duplicates, delays, drops or retries."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from shequn.channels import services as channel_services
from shequn.channels.models import OfficialAccount
from shequn.channels.token_store import token_store_for
from shequn.contacts.models import Contact, ContactEvent, Follower
from tests.channels.factories import OA_AES_KEY, OA_TOKEN, make_official_account
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import (
    LossyGateway,
    Sandbox,
    inbox_rows,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)

pytestmark = pytest.mark.slow

APPID = "wx00000000000000e2"
SECRET = "e2e-app-secret-value"
ORIGINAL_ID = "gh_00000000e2e2"
OPENID = "oCustomerMei"


@dataclass
class Wired:
    sandbox: Sandbox
    account: OfficialAccount
    tenant: Tenant
    other: Tenant

    def act(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The customer acts; the sandbox delivers the callback; the sandbox clock moves on 1 s
        (so two actions never share a CreateTime); the worker runs."""
        path = f"/accounts/{APPID}/customers/{OPENID}/events"
        answer: dict[str, Any] = self.sandbox.control(
            "POST", path, json={"kind": kind, "wait": True, **fields}
        )
        self.sandbox.advance(1)
        run_worker()
        return answer

    def qr_ticket(self, scene: str) -> str:
        """A permanent QR code made by Shequn's own client, through its stored token."""
        with self.tenant.scope(), channel_services.official_account_client(self.account) as c:
            return c.call(c.aio.qrcodes.create_permanent, scene).ticket

    def timeline(self) -> list[tuple[str, dict[str, Any]]]:
        with self.tenant.scope():
            return [(e.kind, e.data) for e in ContactEvent.objects.order_by("occurred_at", "id")]


def wire(world: World, sandbox: Sandbox, callback_base: str) -> Wired:
    t = world.a
    with t.scope(), as_owner(t):
        account = make_official_account(
            appid=APPID,
            secret=SECRET,
            original_id=ORIGINAL_ID,
            api_base_url=sandbox.url,
            encryption_mode=OfficialAccount.EncryptionMode.SAFE,
        )
    sandbox.control(
        "POST",
        "/accounts",
        json={
            "appid": APPID,
            "secret": SECRET,
            "token": OA_TOKEN,
            "encoding_aes_key": OA_AES_KEY,
            "original_id": ORIGINAL_ID,
            "kind": "service",
            "verified": True,
            "encryption": "safe",
            "callback_url": f"{callback_base}/cb/oa/{account.callback_key}/",
        },
    )
    sandbox.control(
        "POST", f"/accounts/{APPID}/customers", json={"openid": OPENID, "subscribe": False}
    )
    return Wired(sandbox, account, t, world.b)


@pytest.fixture
def wired(transactional_db: None, live_server: Any, world: World, sandbox: Sandbox) -> Wired:
    return wire(world, sandbox, live_server.url)


def test_follow_text_click_unfollow_refollow_each_once_with_first_touch(wired: Wired) -> None:
    first = wired.act("follow", ticket=wired.qr_ticket("poster42"))
    assert first["delivery"]["status"] == "delivered"
    wired.act("text", content="Is the toner in stock?")
    wired.act("click", event_key="MENU_NEWS")
    wired.act("unfollow")
    wired.act("follow", ticket=wired.qr_ticket("autumn_fair"))

    rows = inbox_rows()
    assert [(r.msg_type, r.event.lower()) for r in rows] == [
        ("event", "subscribe"),
        ("text", ""),
        ("event", "click"),
        ("event", "unsubscribe"),
        ("event", "subscribe"),
    ]
    assert {r.state for r in rows} == {"processed"}
    with wired.tenant.scope():
        contact = Contact.objects.get()
        assert (contact.first_touch_scene, contact.last_touch_scene) == ("poster42", "autumn_fair")
        assert contact.first_touch_channel == f"oa:{wired.account.uid}"
        follower = Follower.objects.get()
        assert follower.subscribed
        assert follower.openid == OPENID
        assert follower.scene == "autumn_fair"
    assert wired.timeline() == [
        ("followed", {"scene": "poster42"}),
        ("message_received", {"msg_type": "text", "content": "Is the toner in stock?"}),
        ("menu_click", {"key": "MENU_NEWS"}),
        ("unfollowed", {}),
        ("followed", {"scene": "autumn_fair"}),
    ]
    with wired.other.scope():
        assert not Contact.objects.exists()


def test_deliberate_duplicates_are_stored_and_applied_once(wired: Wired) -> None:
    wired.sandbox.faults(callbacks={"duplicate_rate": 1.0})
    wired.act("follow", ticket=wired.qr_ticket("poster42"))
    wired.act("text", content="hello twice")
    wired.act("click", event_key="MENU_NEWS")

    duplicates = [d for d in wired.sandbox.deliveries(APPID) if d["duplicate"]]
    assert len(duplicates) == 3
    assert all(d["http_status"] == 200 for d in duplicates)
    assert len(inbox_rows()) == 3
    assert [kind for kind, _ in wired.timeline()] == ["followed", "message_received", "menu_click"]


def test_delayed_and_dropped_callbacks(wired: Wired) -> None:
    wired.act("follow", ticket=wired.qr_ticket("poster42"))
    # The text is held back 30 s; the click overtakes it; a later message is lost for good.
    wired.sandbox.faults(callbacks={"delay_next": 1, "delay_seconds": 30})
    held = wired.act("text", content="sent first, arrives last")
    assert held["delivery"]["status"] == "delayed"
    wired.act("click", event_key="MENU_NEWS")
    wired.sandbox.faults(callbacks={"drop_next": 1})
    assert wired.act("text", content="never arrives")["delivery"]["status"] == "dropped"
    assert [kind for kind, _ in wired.timeline()] == ["followed", "menu_click"]

    wired.sandbox.advance(30)
    assert [d["status"] for d in wired.sandbox.flush()] == ["delivered"]
    run_worker()
    # Shown where it happened (by CreateTime), not where it arrived.
    assert wired.timeline() == [
        ("followed", {"scene": "poster42"}),
        ("message_received", {"msg_type": "text", "content": "sent first, arrives last"}),
        ("menu_click", {"key": "MENU_NEWS"}),
    ]
    assert len(inbox_rows()) == 3


def test_retry_after_a_lost_answer_is_stored_once(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox
) -> None:
    gateway = LossyGateway(live_server.url)
    server = gateway.start()
    try:
        wired = wire(world, sandbox, gateway.url)
        gateway.lose = 2  # the answers to the first two attempts never reach the platform
        outcome = wired.act("follow", ticket=wired.qr_ticket("poster42"))
    finally:
        server.shutdown()
    assert outcome["delivery"]["attempts"] == 3
    assert outcome["delivery"]["status"] == "delivered"
    assert gateway.forwarded == [200, 200, 200]  # Shequn accepted every retry...
    assert len(inbox_rows()) == 1  # ...and kept one row
    assert wired.timeline() == [("followed", {"scene": "poster42"})]


def test_test_connection_against_the_sandbox(wired: Wired) -> None:
    with wired.tenant.scope(), as_owner(wired.tenant):
        ok = channel_services.test_connection(wired.account)
        assert ok.ok, ok.message
        channel_services.update_channel(wired.account, secret="not-the-secret")
        failed = channel_services.test_connection(wired.account)
    assert not failed.ok
    assert failed.message.startswith("The platform refused")
    assert "40125" in failed.message
    with wired.tenant.scope():
        wired.account.refresh_from_db()
        assert wired.account.last_test_ok is False
        assert wired.account.last_test_message == failed.message


def stored_token(wired: Wired) -> str:
    """The account's token as every process sees it (whichever shared store is configured)."""
    store = token_store_for(wired.tenant.workspace)
    token = asyncio.run(store.get(f"oa:{APPID}"))
    assert token is not None
    return token.value


def test_40001_is_recovered_with_a_new_token_in_the_shared_store(wired: Wired) -> None:
    wired.qr_ticket("warm_up")
    before = stored_token(wired)
    wired.sandbox.advance(31)  # WeChat allows a forced stable-token refresh every 30 s at most
    wired.sandbox.faults(fail_next={"count": 1, "errcode": 40001, "path": "/cgi-bin/qrcode/create"})
    assert wired.qr_ticket("after_40001")  # retried with a fresh token, no error surfaced
    after = stored_token(wired)
    assert after != before
    wired.qr_ticket("next_process")  # the next client uses the new token as it is
    assert stored_token(wired) == after


def test_a_new_followers_profile_and_unionid_are_fetched_at_once(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox
) -> None:
    wired = wire(world, sandbox, live_server.url)
    sandbox.control(
        "POST",
        f"/accounts/{APPID}/customers",
        json={"openid": "oCustomerRin", "subscribe": False, "unionid": "uRinUnion01"},
    )
    sandbox.control(
        "POST",
        f"/accounts/{APPID}/customers/oCustomerRin/events",
        json={"kind": "follow", "wait": True},
    )
    run_worker()
    with wired.tenant.scope():
        contact = Contact.objects.get(identities__value="oCustomerRin")
        kinds = {i.kind: i.value for i in contact.identities.all()}
    assert kinds.get("unionid") == "uRinUnion01"
