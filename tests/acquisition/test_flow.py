"""Issue #7 end to end against the sandbox over HTTP: a customer scans the package-insert sticker
of a shipment lot, adds the persona's staff through its contact way, gets the welcome with the
pool's join link within WeCom's 20 seconds, joins through it, the red packet waits for them at
WeChat Pay, they confirm, and the ledger says paid: one bill at the merchant. Also: a full group
sends the next customer to the next group (still rewarded), and an exhausted budget pays no one
more and says why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shequn.contacts import services as contact_services
from shequn.contacts.models import CustomerGroup, Identity
from shequn.ingest.models import WelcomeDelivery
from shequn.livecodes import services as livecode_services
from shequn.livecodes.models import Attribution, LiveCode
from shequn.rewards import services as reward_services
from shequn.rewards.models import Payout, RewardCampaign, RewardOffer
from tests.channels.factories import make_official_account
from tests.conftest import World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import (
    Sandbox,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)
from tests.livecodes.wired import STAFF, Wired, wire
from tests.rewards.wiring import MCHID, connect_merchant

pytestmark = pytest.mark.slow

APPID = "wx00000000000000f7"
AMOUNT = 388


@dataclass
class Brand:
    w: Wired
    account: Any
    pool: Any
    reward: RewardCampaign
    codes: list[LiveCode]

    def scan_and_add(self, code: LiveCode, name: str, unionid: str) -> str:
        """The customer scans the sticker (our landing page), then adds the staff it shows."""
        page = httpx.get(f"{self.w.base_url}/c/{code.token}/")
        assert page.status_code == 200
        added = self.w.act(
            "add_staff", userid=STAFF[0], config_id=code.config_id, name=name, unionid=unionid
        )
        # They also follow the brand's account (which pays them): the same unionid.
        with self.w.tenant.scope(), as_owner(self.w.tenant):
            follower = contact_services.contact_for_identity(
                Identity.Kind.OA_OPENID, f"o{unionid}", f"oa:{self.account.uid}"
            )
            contact_services.attach_unionid(follower, unionid)
        return str(added["external_userid"])

    def join_link(self, external: str) -> str:
        [welcome] = [m for m in self.w.received(external) if m["via"] == "welcome"]
        [attachment] = welcome["message"]["attachments"]
        return str(attachment["link"]["url"])

    def join_through(self, external: str, url: str) -> str:
        ways = self.w.sandbox.control("GET", f"/wecom/corps/{self.w.corp.corpid}/ways")
        [way] = [j for j in ways["join_ways"] if j["qr_code"] == url]
        joined = self.w.act(
            "join_group", external_userid=external, join_way_config_id=way["config_id"]
        )
        run_worker()
        return str(joined["chat_id"])

    def payouts(self) -> list[Payout]:
        with self.w.tenant.scope():
            return list(Payout.objects.select_related("group").order_by("id"))

    def bills(self) -> list[dict[str, Any]]:
        return self.w.sandbox.control("GET", f"/pay/merchants/{MCHID}/bills")["bills"]  # type: ignore[no-any-return]


def _brand(world: World, sandbox: Sandbox, live_url: str, *, budget: int = 10_000) -> Brand:
    w = wire(
        world,
        sandbox,
        live_url,
        open_platform=True,
        limits={"group_max_members": 2, "qr_join_max_members": 2},
    )
    merchant = connect_merchant(world.a, sandbox, live_url)
    with w.tenant.scope(), as_owner(w.tenant):
        account = make_official_account(appid=APPID, name="Sakura Baby")
    pool = w.pool("Baby 0-3 months")
    with w.tenant.scope(), as_owner(w.tenant):
        reward = reward_services.create_campaign(
            name="Sticker red packet",
            merchant=merchant,
            appid=APPID,
            target_pool=pool,
            amount_fen=AMOUNT,
            budget_fen=budget,
            transfer_remark="入群红包",
            activity_name="包裹贴纸入群",
            reward_description="入群领取现金红包",
        )
    campaign = w.campaign(
        "Autumn boxes",
        channel_kind="package_insert",
        pool=pool,
        reward=reward,
        welcome_text="Hi {name}! I'm {persona}. Join our group for your red packet: {link}",
    )
    with w.tenant.scope(), as_owner(w.tenant):
        batch = livecode_services.create_batch(campaign, lot="2026-11-A", quantity=3)
    run_worker()
    with w.tenant.scope():
        codes = list(LiveCode.objects.filter(batch=batch).order_by("serial"))
    assert [c.status for c in codes] == [LiveCode.Status.ACTIVE] * 3
    return Brand(w, account, pool, reward, codes)


@pytest.fixture
def brand(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox, settings: Any
) -> Brand:
    settings.SHEQUN_BASE_URL = live_server.url
    return _brand(world, sandbox, live_server.url)


def test_sticker_scan_to_paid_red_packet(brand: Brand) -> None:
    external = brand.scan_and_add(brand.codes[0], "爱子", "uAiko")

    with brand.w.tenant.scope():
        attribution = Attribution.objects.get()
        assert attribution.code == brand.codes[0]
        assert RewardOffer.objects.filter(campaign=brand.reward).count() == 1
        delivery = WelcomeDelivery.objects.get()
        assert (delivery.ok, delivery.errcode) == (True, 0)
        assert (delivery.attempted_at - delivery.event.received_at).total_seconds() < 20
    url = brand.join_link(external)

    chat_id = brand.join_through(external, url)
    [payout] = brand.payouts()
    assert payout.group is not None
    assert payout.group.chat_id == chat_id
    assert (payout.state, payout.amount_fen, payout.openid) == (
        Payout.State.WAITING,
        AMOUNT,
        "ouAiko",
    )
    [bill] = brand.bills()
    assert bill["state"] == "WAIT_USER_CONFIRM"

    brand.w.sandbox.control("POST", f"/pay/merchants/{MCHID}/bills/{payout.out_bill_no}/confirm")
    run_worker()
    [payout] = brand.payouts()
    assert payout.state == Payout.State.PAID
    [bill] = brand.bills()
    assert (bill["out_bill_no"], bill["state"]) == (payout.out_bill_no, "SUCCESS")


def test_a_full_group_sends_the_next_customer_to_the_next_group(brand: Brand) -> None:
    first = brand.scan_and_add(brand.codes[0], "爱子", "uAiko")
    first_chat = brand.join_through(first, brand.join_link(first))  # the group is full now
    second = brand.scan_and_add(brand.codes[1], "美香", "uMika")
    second_chat = brand.join_through(second, brand.join_link(second))
    assert second_chat != first_chat
    with brand.w.tenant.scope():
        members = {
            g.chat_id: set(
                g.memberships.filter(left_at__isnull=True).values_list("member_id", flat=True)
            )
            for g in CustomerGroup.objects.all()
        }
    assert members[first_chat] == {STAFF[0], first}  # at the cap of 2: nobody else sent there
    assert second in members[second_chat]
    payouts = brand.payouts()
    assert [(p.group.chat_id if p.group else "", p.state) for p in payouts] == [
        (first_chat, Payout.State.WAITING),
        (second_chat, Payout.State.WAITING),
    ]
    assert len(brand.bills()) == 2


def test_an_exhausted_budget_pays_no_one_more_and_says_why(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox, settings: Any
) -> None:
    settings.SHEQUN_BASE_URL = live_server.url
    brand = _brand(world, sandbox, live_server.url, budget=AMOUNT)
    first = brand.scan_and_add(brand.codes[0], "爱子", "uAiko")
    brand.join_through(first, brand.join_link(first))
    second = brand.scan_and_add(brand.codes[1], "美香", "uMika")
    brand.join_through(second, brand.join_link(second))
    assert [p.openid for p in brand.payouts()] == ["ouAiko"]
    assert len(brand.bills()) == 1
    with brand.w.tenant.scope():
        reward = RewardCampaign.objects.get(pk=brand.reward.pk)
        offer = RewardOffer.objects.get(contact__identities__value=second)
    assert (reward.status, reward.paused_reason) == ("paused", "budget_exhausted")
    assert offer.refused_reason == "budget_exhausted"
