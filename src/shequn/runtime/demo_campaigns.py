"""The cosmetics brand's acquisition story (issue #7), set up as an operator would in the console:
a beauty-advisor persona behind the brand's staff accounts, a member group pool, a red-packet
reward on the brand's WeChat Pay merchant, and a package-insert campaign with a lot of printed
codes. The simulated customers find the codes' contact ways (`discover = true` in the scenario),
add the persona's staff, get the welcome with the pool's join link, join, and confirm their red
packets. Idempotent: a second run finds everything in place.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from shequn.channels import services as channel_services
from shequn.channels.models import PayMerchant, WeComCorp
from shequn.community import services as community_services
from shequn.community.models import GroupPool
from shequn.contacts.models import CustomerGroup
from shequn.livecodes import services as livecode_services
from shequn.livecodes.models import Campaign, InsertBatch
from shequn.personas import services as persona_services
from shequn.personas.models import Persona
from shequn.rewards import services as reward_services
from shequn.rewards.models import RewardCampaign


@dataclass(frozen=True)
class Story:
    persona: str
    persona_display: str
    staff: tuple[str, ...]
    pool: str
    group: str
    reward: str
    amount_fen: int
    budget_fen: int
    campaign: str
    lot: str
    codes: int
    welcome: str


STORIES = {
    "demo-cosmetics": Story(
        persona="Beauty advisor Mika",
        persona_display="美香 Mika",
        staff=("sakura-advisor-01", "sakura-advisor-02"),
        pool="Sakura members",
        group="さくら会员群 1",
        reward="Package insert red packet",
        amount_fen=388,
        budget_fen=2_000_000,
        campaign="Package inserts, autumn boxes",
        lot="2026-AUTUMN-A",
        codes=12,
        welcome=(
            "Hi {name}! I'm {persona}, your Sakura beauty advisor. Join our members' group for "
            "tips and a ¥3.88 red packet: {link}"
        ),
    )
}
MERCHANT_BALANCE_FEN = 50_000_000


@dataclass(frozen=True)
class AgePools:
    """Pools by the baby's age: a birth-date attribute, one segment and one pool (with its first
    group, created by a staff member in WeCom) per age band."""

    attribute: str
    attribute_label: str
    staff: str
    bands: tuple[tuple[str, str, int, int], ...]  # (pool name, first group, min months, max)


AGE_POOLS = {
    "demo-baby": AgePools(
        attribute="baby_birth_date",
        attribute_label="宝宝生日 Baby's birth date",
        staff="xiaowanzi-01",
        bands=(
            ("0–6个月 宝妈群", "星宝贝 0–6个月 1群", 0, 5),
            ("6–12个月 宝妈群", "星宝贝 6–12个月 1群", 6, 11),
            ("1–3岁 宝妈群", "星宝贝 1–3岁 1群", 12, 36),
        ),
    )
}


def set_up(
    scenario: dict[str, Any], client: httpx.Client, console_url: str, corp: WeComCorp
) -> bool:
    """Set up the story for the scenario's brand, if it has one (inside its tenant scope)."""
    ages = AGE_POOLS.get(str(scenario.get("name")))
    if ages is not None:
        _age_pools(client, corp, ages)
    story = STORIES.get(str(scenario.get("name")))
    if story is None:
        return ages is not None
    merchant = _merchant(client, str(scenario["pay"]["mchid"]), console_url)
    persona = Persona.objects.filter(name=story.persona).first()
    if persona is None:
        persona = persona_services.create_persona(story.persona, display_name=story.persona_display)
        for userid in story.staff:
            staff = persona_services.staff_account(corp, userid)
            persona_services.update_staff(staff, persona=persona, capacity=2000)
    pool = GroupPool.objects.filter(name=story.pool).first()
    if pool is None:
        pool = community_services.create_pool(corp=corp, name=story.pool)
        group = _group(client, corp, story.staff[0], story.group)
        community_services.add_group_to_pool(pool, group)
    reward = RewardCampaign.objects.filter(name=story.reward).first()
    if reward is None:
        accounts = scenario.get("accounts", [])
        reward = reward_services.create_campaign(
            name=story.reward,
            merchant=merchant,
            appid=accounts[0]["appid"],
            target_pool=pool,
            amount_fen=story.amount_fen,
            budget_fen=story.budget_fen,
            transfer_remark="入群红包",
            activity_name="包裹卡入群",
            reward_description="入群领取现金红包",
        )
    campaign = Campaign.objects.filter(name=story.campaign).first()
    if campaign is None:
        campaign = livecode_services.create_campaign(
            name=story.campaign,
            corp=corp,
            persona=persona,
            channel_kind="package_insert",
            pool=pool,
            reward=reward,
            welcome_text=story.welcome,
        )
    if not InsertBatch.objects.filter(campaign=campaign, lot=story.lot).exists():
        livecode_services.create_batch(campaign, lot=story.lot, quantity=story.codes)
    return True


def _merchant(client: httpx.Client, mchid: str, console_url: str) -> PayMerchant:
    existing = PayMerchant.objects.filter(mchid=mchid).first()
    doc = client.get(f"/sandbox/pay/merchants/{mchid}")
    if doc.status_code == 404:
        doc = client.post(
            "/sandbox/pay/merchants",
            json={
                "mchid": mchid,
                "platform_mode": "public_key",
                "balance_fen": MERCHANT_BALANCE_FEN,
            },
        )
        doc.raise_for_status()
    fields = doc.json()
    merchant = existing or channel_services.connect_pay_merchant(
        name="Sakura Cosmetics WeChat Pay",
        mchid=mchid,
        serial_no=fields["merchant_serial"],
        private_key=fields["merchant_private_key"],
        api_v3_key=fields["api_v3_key"],
        platform_key_mode=PayMerchant.PlatformKeyMode.PUBLIC_KEY,
        platform_key_id=fields["platform_serial"],
        platform_key_pem=fields["platform_public_key"],
        api_base_url=str(client.base_url).rstrip("/"),
    )
    client.patch(
        f"/sandbox/pay/merchants/{mchid}",
        json={"notify_url": f"{console_url.rstrip('/')}/cb/pay/{merchant.callback_key}/"},
    ).raise_for_status()
    return merchant


def _age_pools(client: httpx.Client, corp: WeComCorp, ages: AgePools) -> None:
    from shequn.contacts import services as contact_services
    from shequn.contacts.models import AttributeDefinition
    from shequn.segments import services as segment_services
    from shequn.segments.models import Segment

    if not AttributeDefinition.objects.filter(key=ages.attribute).exists():
        contact_services.define_attribute(
            key=ages.attribute,
            label=ages.attribute_label,
            value_type="date",
            derive_age_months=True,
        )
    for pool_name, group_name, low, high in ages.bands:
        if GroupPool.objects.filter(name=pool_name).exists():
            continue
        segment = Segment.objects.filter(name=pool_name).first()
        if segment is None:
            rule = {"kind": "attribute", "key": ages.attribute, "op": "months_ago"}
            segment = segment_services.create_segment(
                pool_name, {"all": [{**rule, "min": low, "max": high}]}
            )
        pool = community_services.create_pool(corp=corp, name=pool_name, segment=segment)
        community_services.add_group_to_pool(pool, _group(client, corp, ages.staff, group_name))


def _group(client: httpx.Client, corp: WeComCorp, owner: str, name: str) -> CustomerGroup:
    """A group created by a staff member in WeCom; its callback brings it into Shequn."""
    existing: CustomerGroup | None = CustomerGroup.objects.filter(corp=corp, name=name).first()
    if existing is not None:
        return existing
    created = client.post(
        f"/sandbox/wecom/corps/{corp.corpid}/actions",
        json={"kind": "staff_creates_group", "owner_userid": owner, "name": name, "wait": True},
    )
    created.raise_for_status()
    chat_id = created.json()["result"]["chat_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found: CustomerGroup | None = CustomerGroup.objects.filter(
            corp=corp, chat_id=chat_id
        ).first()
        if found is not None:
            return found
        time.sleep(0.5)
    raise RuntimeError(f"the group {name} created in WeCom did not reach Shequn")


def sync_followers() -> None:
    """Import the accounts' followers (with their unionids), as the operator's periodic sync
    would: a red packet is paid to the openid under the brand's account, found by unionid."""
    from django.db import transaction

    from shequn.channels import queries as channel_queries
    from shequn.contacts.follower_sync import start_follower_sync
    from shequn.core.actors import acting_as, system_actor
    from shequn.tenancy.models import Workspace
    from shequn.tenancy.scope import tenant_scope

    for workspace in Workspace.objects.all():
        with tenant_scope(workspace), acting_as(system_actor("demo.sync")), transaction.atomic():
            for account in channel_queries.official_accounts():
                start_follower_sync(account)
