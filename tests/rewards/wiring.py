"""Shequn wired to a live sandbox for rewards: a WeCom corp (callbacks to the live server, unionids
visible), a Pay merchant (notifications to the live server), the brand's official account, a
group pool with one group, and a reward campaign on it. Customers act through the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from shequn.channels import services as channel_services
from shequn.channels.models import OfficialAccount, PayMerchant, WeComCorp
from shequn.community import services as community_services
from shequn.community.models import GroupPool
from shequn.contacts import services as contact_services
from shequn.contacts.models import Contact, CustomerGroup, Identity
from shequn.rewards import issuing, services
from shequn.rewards.models import Payout, RewardCampaign
from tests.channels.factories import (
    WECOM_AES_KEY,
    WECOM_TOKEN,
    make_official_account,
    make_wecom_corp,
)
from tests.conftest import Tenant
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import Sandbox, run_worker

CORPID = "ww000000000000rw1"
SECRET = "rewards-contact-secret"
STAFF = "lili"
MCHID = "1900000077"
API_V3_KEY = "rewardsApiV3Key0123456789abcdefg"
APPID = "wx0000000000000rw1"
AMOUNT = 188


@dataclass
class Rig:
    sandbox: Sandbox
    tenant: Tenant
    corp: WeComCorp
    merchant: PayMerchant
    account: OfficialAccount
    pool: GroupPool
    chat_id: str
    campaign: RewardCampaign
    customers: dict[str, str] = field(default_factory=dict)  # name -> external_userid

    # -- customers -------------------------------------------------------------------------

    def wecom(self, kind: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.sandbox.control(
            "POST", f"/wecom/corps/{CORPID}/actions", json={"kind": kind, "wait": True, **fields}
        )
        assert all(d["status"] == "delivered" for d in answer["deliveries"]), answer
        run_worker()
        return answer["result"]  # type: ignore[no-any-return]

    def customer(self, name: str, *, unionid: str, openid: str | None = None) -> str:
        """A customer adds the staff member; they also follow the brand's account (openid)."""
        added = self.wecom("add_staff", userid=STAFF, unionid=unionid, name=name)
        external = str(added["external_userid"])
        self.customers[name] = external
        if openid is not None:
            with self.tenant.scope(), as_owner(self.tenant):
                follower = contact_services.contact_for_identity(
                    Identity.Kind.OA_OPENID, openid, f"oa:{self.account.uid}"
                )
                contact_services.attach_unionid(follower, unionid)
        return external

    def contact(self, name: str) -> Contact:
        with self.tenant.scope():
            identity = Identity.objects.get(
                kind=Identity.Kind.WECOM_EXTERNAL_USERID, value=self.customers[name]
            )
            return contact_services.resolve(identity.contact)

    def promise(self, name: str) -> None:
        with self.tenant.scope():
            services.offer(self.contact(name), self.campaign, source="sticker:test")

    def join(self, name: str, chat_id: str | None = None) -> None:
        self.wecom(
            "join_group", external_userid=self.customers[name], chat_id=chat_id or self.chat_id
        )

    def confirm(self, out_bill_no: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.sandbox.control(
            "POST", f"/pay/merchants/{MCHID}/bills/{out_bill_no}/confirm"
        )
        run_worker()
        return answer

    # -- what the brand sees ---------------------------------------------------------------

    def payouts(self) -> list[Payout]:
        with self.tenant.scope():
            return list(Payout.objects.order_by("id"))

    def refresh(self) -> RewardCampaign:
        with self.tenant.scope():
            self.campaign = RewardCampaign.objects.get(pk=self.campaign.pk)
        return self.campaign

    def bills(self) -> list[dict[str, Any]]:
        return self.sandbox.control("GET", f"/pay/merchants/{MCHID}/bills")["bills"]  # type: ignore[no-any-return]

    def reconcile(self) -> dict[str, int]:
        with self.tenant.scope(), as_owner(self.tenant):
            return issuing.reconcile(self.tenant.workspace, min_age=timedelta(0))

    def update(self, **values: Any) -> None:
        with self.tenant.scope(), as_owner(self.tenant):
            services.update_campaign(self.campaign, **values)


def connect_merchant(t: Tenant, sandbox: Sandbox, live_url: str) -> PayMerchant:
    doc = sandbox.control(
        "POST",
        "/pay/merchants",
        json={
            "mchid": MCHID,
            "api_v3_key": API_V3_KEY,
            "platform_mode": "public_key",
            "balance_fen": 100_000,
        },
    )
    with t.scope(), as_owner(t):
        merchant = channel_services.connect_pay_merchant(
            name="Rewards Pay",
            mchid=MCHID,
            serial_no=doc["merchant_serial"],
            private_key=doc["merchant_private_key"],
            api_v3_key=API_V3_KEY,
            platform_key_mode=PayMerchant.PlatformKeyMode.PUBLIC_KEY,
            platform_key_id=doc["platform_serial"],
            platform_key_pem=doc["platform_public_key"],
            api_base_url=sandbox.url,
        )
    sandbox.http.patch(
        f"/sandbox/pay/merchants/{MCHID}",
        json={"notify_url": f"{live_url}/cb/pay/{merchant.callback_key}/"},
    ).raise_for_status()
    return merchant


def connect_corp(t: Tenant, sandbox: Sandbox, live_url: str) -> WeComCorp:
    with t.scope(), as_owner(t):
        corp = make_wecom_corp(
            corpid=CORPID, contact_secret=SECRET, api_base_url=f"{sandbox.url}/qyapi"
        )
    sandbox.control(
        "POST",
        "/wecom/corps",
        json={
            "corpid": CORPID,
            "secret": SECRET,
            "token": WECOM_TOKEN,
            "encoding_aes_key": WECOM_AES_KEY,
            "callback_url": f"{live_url}/cb/wecom/{corp.callback_key}/",
            "staff": [
                {"userid": STAFF, "name": "李丽", "customer_contact": True},
                {"userid": "lili2", "name": "李丽二号", "customer_contact": True},
            ],
            "open_platform": True,
        },
    )
    return corp


def build_rig(t: Tenant, sandbox: Sandbox, live_url: str, **campaign: Any) -> Rig:
    merchant = connect_merchant(t, sandbox, live_url)
    corp = connect_corp(t, sandbox, live_url)
    with t.scope(), as_owner(t):
        account = make_official_account(appid=APPID, name="Sakura Baby")
    answer = sandbox.control(
        "POST",
        f"/wecom/corps/{CORPID}/actions",
        json={
            "kind": "staff_creates_group",
            "owner_userid": STAFF,
            "name": "宝妈群1",
            "wait": True,
        },
    )
    chat_id = str(answer["result"]["chat_id"])
    run_worker()
    with t.scope(), as_owner(t):
        group = CustomerGroup.objects.get(chat_id=chat_id)
        pool = community_services.create_pool(corp=corp, name="Baby 0-3 months")
        community_services.add_group_to_pool(pool, group)
        values: dict[str, Any] = {
            "name": "Sticker red packet",
            "merchant": merchant,
            "appid": APPID,
            "target_pool": pool,
            "amount_fen": AMOUNT,
            "budget_fen": 10_000,
            "transfer_remark": "入群红包",
            "activity_name": "包裹贴纸入群",
            "reward_description": "入群领取现金红包",
        }
        values.update(campaign)
        reward = services.create_campaign(**values)
    return Rig(sandbox, t, corp, merchant, account, pool, chat_id, reward)
