"""Rewards data built through the services, without a sandbox (for console, API and walk)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shequn.channels import services as channel_services
from shequn.channels.models import PayMerchant, WeComCorp
from shequn.community import services as community_services
from shequn.contacts import services as contact_services
from shequn.contacts.models import CustomerGroup, Identity
from shequn.rewards import services
from shequn.rewards.models import Payout, RewardCampaign
from tests.channels.factories import make_wecom_corp


def corp() -> WeComCorp:
    found: WeComCorp | None = WeComCorp.objects.filter(corpid="ww0000000000000001").first()
    return found or make_wecom_corp()


def merchant() -> PayMerchant:
    found: PayMerchant | None = PayMerchant.objects.filter(mchid="1900000001").first()
    return found or channel_services.connect_pay_merchant(
        name="Walk Pay", mchid="1900000001", serial_no="SERIAL01"
    )


def group(chat_id: str = "wrRewardsGroup") -> CustomerGroup:
    made = contact_services.group(corp(), chat_id, timezone.now())
    return made


def campaign(name: str = "sakura-reward-marker", **values: Any) -> RewardCampaign:
    found: RewardCampaign | None = RewardCampaign.objects.filter(name=name).first()
    if found is not None:
        return found
    the_group = group()
    pool = community_services.create_pool(corp=corp(), name=f"{name} pool")
    community_services.add_group_to_pool(pool, the_group)
    fields: dict[str, Any] = {
        "name": name,
        "merchant": merchant(),
        "appid": "wx0000000000000001",
        "target_pool": pool,
        "amount_fen": 188,
        "budget_fen": 10_000,
        "requires_offer": False,
        "transfer_remark": "入群红包",
        "activity_name": "入群有礼",
        "reward_description": "入群领取红包",
    }
    fields.update(values)
    return services.create_campaign(**fields)


def payout(member_id: str = "wmSakuraRewardMember") -> Payout:
    the_campaign = campaign()
    existing: Payout | None = Payout.objects.filter(member_id=member_id).first()
    if existing is not None:
        return existing
    contact_services.contact_for_identity(
        Identity.Kind.WECOM_EXTERNAL_USERID, member_id, f"wecom:{corp().uid}"
    )
    pool_group = group()
    [made] = services.on_group_join(pool_group, [member_id])
    assert made.campaign_id == the_campaign.pk
    return made
