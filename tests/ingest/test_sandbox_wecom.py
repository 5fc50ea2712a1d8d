"""WeCom end to end: the sandbox verifies Shequn's callback URL, customers add staff through a
contact way and join and leave groups; Shequn records contacts with attribution, sends the
default welcome message with the WelcomeCode in time, and keeps group membership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shequn.channels import services as channel_services
from shequn.channels.models import WeComCorp
from shequn.contacts.models import Contact, ContactEvent, CustomerGroup, GroupMembership
from shequn.ingest.models import WelcomeDelivery
from tests.channels.factories import WECOM_AES_KEY, WECOM_TOKEN, make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import (
    Sandbox,
    inbox_rows,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)

pytestmark = pytest.mark.slow

CORPID = "ww00000000000000e2"
SECRET = "e2e-contact-secret"
STAFF = "zhangsan"
WELCOME = "Welcome to Sakura! Reply 1 for our autumn catalogue."


@dataclass
class Wired:
    sandbox: Sandbox
    corp: WeComCorp
    tenant: Tenant

    def act(self, kind: str, *, work: bool = True, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.sandbox.control(
            "POST", f"/wecom/corps/{CORPID}/actions", json={"kind": kind, "wait": True, **fields}
        )
        assert all(d["status"] == "delivered" for d in answer["deliveries"]), answer
        self.sandbox.advance(1)
        if work:
            run_worker()
        return answer["result"]  # type: ignore[no-any-return]

    def contact_way(self, state: str) -> str:
        """A 「联系我」 QR code for the staff member, made by Shequn's own WeCom client."""
        with self.tenant.scope(), channel_services.wecom_client(self.corp) as client:
            way = client.call(
                client.aio.contact_ways.add, type=1, scene=2, users=[STAFF], state=state
            )
        return str(way["config_id"])

    def received(self, external_userid: str) -> list[dict[str, Any]]:
        path = f"/wecom/corps/{CORPID}/contacts/{external_userid}/received"
        return self.sandbox.control("GET", path)["messages"]  # type: ignore[no-any-return]


def _corp_doc(callback_url: str, token: str = WECOM_TOKEN) -> dict[str, Any]:
    return {
        "corpid": CORPID,
        "secret": SECRET,
        "token": token,
        "encoding_aes_key": WECOM_AES_KEY,
        "callback_url": callback_url,
        "staff": [{"userid": STAFF, "name": "张三"}],
    }


def _connect(t: Tenant, sandbox: Sandbox) -> WeComCorp:
    with t.scope(), as_owner(t):
        return make_wecom_corp(
            corpid=CORPID,
            contact_secret=SECRET,
            welcome_message=WELCOME,
            api_base_url=f"{sandbox.url}/qyapi",
        )


def _callback(base: str, corp: WeComCorp) -> str:
    return f"{base}/cb/wecom/{corp.callback_key}/"


@pytest.fixture
def wired(transactional_db: None, live_server: Any, world: World, sandbox: Sandbox) -> Wired:
    corp = _connect(world.a, sandbox)
    # Saving the callback URL in the sandbox runs WeCom's GET handshake against Shequn.
    sandbox.control("POST", "/wecom/corps", json=_corp_doc(_callback(live_server.url, corp)))
    return Wired(sandbox, corp, world.a)


def test_callback_url_handshake_fails_with_the_wrong_token(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox
) -> None:
    corp = _connect(world.a, sandbox)
    refused = sandbox.http.post(
        "/sandbox/wecom/corps",
        json=_corp_doc(_callback(live_server.url, corp), token="not-the-token"),
    )
    assert refused.status_code == 400
    assert "verification failed" in refused.json()["error"]
    assert not inbox_rows()


def test_customer_added_through_a_contact_way_gets_the_welcome_once(wired: Wired) -> None:
    wired.sandbox.faults(callbacks={"duplicate_rate": 1.0})  # WeCom repeats itself, too
    added = wired.act("add_staff", userid=STAFF, config_id=wired.contact_way("poster42"))
    external = added["external_userid"]

    welcome = wired.received(external)
    assert [m["via"] for m in welcome] == ["welcome"]
    assert welcome[0]["message"]["text"]["content"] == WELCOME
    assert len(inbox_rows()) == 1
    with wired.tenant.scope():
        contact = Contact.objects.get()
        assert contact.first_touch_scene == "poster42"
        assert contact.first_touch_channel == f"wecom:{wired.corp.uid}"
        assert contact.identities.get().value == external
        event = ContactEvent.objects.get()
        assert (event.kind, event.data) == ("wecom_added", {"staff": STAFF, "state": "poster42"})
        delivery = WelcomeDelivery.objects.get()
        assert (delivery.ok, delivery.errcode) == (True, 0)


def test_welcome_code_used_after_20_seconds_is_refused_and_recorded(wired: Wired) -> None:
    added = wired.act("add_staff", work=False, userid=STAFF, config_id=wired.contact_way("late"))
    wired.sandbox.advance(25)  # the worker was busy; WeCom's 20 seconds are over
    run_worker()
    assert wired.received(added["external_userid"]) == []
    with wired.tenant.scope():
        delivery = WelcomeDelivery.objects.get()
        assert (delivery.ok, delivery.errcode) == (False, 41050)
        assert Contact.objects.get().first_touch_scene == "late"  # the contact is kept anyway


def test_no_welcome_without_a_default_message(wired: Wired) -> None:
    with wired.tenant.scope(), as_owner(wired.tenant):
        channel_services.update_channel(wired.corp, welcome_message="")
    added = wired.act("add_staff", userid=STAFF)
    assert wired.received(added["external_userid"]) == []
    with wired.tenant.scope():
        assert not WelcomeDelivery.objects.exists()
        assert Contact.objects.count() == 1


def test_customer_joins_and_leaves_a_group(wired: Wired) -> None:
    external = wired.act("add_staff", userid=STAFF)["external_userid"]
    chat_id = wired.act("staff_creates_group", owner_userid=STAFF, name="Sakura VIP")["chat_id"]
    wired.act("join_group", external_userid=external, chat_id=chat_id)
    with wired.tenant.scope():
        membership = GroupMembership.objects.get(member_id=external)
        assert membership.group.chat_id == chat_id
        assert membership.member_id == external
        assert membership.contact == Contact.objects.get()
        assert membership.left_at is None
    wired.act("leave_group", external_userid=external, chat_id=chat_id)
    with wired.tenant.scope():
        membership = GroupMembership.objects.get(member_id=external)
        assert membership.left_at is not None
        assert membership.quit_scene == 0
        group = CustomerGroup.objects.get()
        sandbox_group = wired.sandbox.control("GET", f"/wecom/corps/{CORPID}/groups/{chat_id}")
        assert group.member_version == sandbox_group["member_version"]
    assert {r.state for r in inbox_rows()} == {"processed"}


def test_test_connection_against_the_sandbox(wired: Wired) -> None:
    with wired.tenant.scope(), as_owner(wired.tenant):
        assert channel_services.test_connection(wired.corp).ok
        channel_services.update_channel(wired.corp, contact_secret="wrong-secret")
        failed = channel_services.test_connection(wired.corp)
    assert not failed.ok
    assert failed.message.startswith("The platform refused")


def test_sandbox_unreachable_is_reported_not_raised(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp(api_base_url="http://127.0.0.1:9/qyapi")
        result = channel_services.test_connection(corp)
    assert not result.ok
    assert result.message.startswith("Could not reach the platform")
    assert result.message.endswith("ConnectError"), result.message
