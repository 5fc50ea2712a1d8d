"""Factories for the tenant-isolation walk: one object of every rewards model."""

from __future__ import annotations

from typing import Any

from shequn.rewards import services
from shequn.rewards.models import PayoutEvent, RewardOffer
from tests.rewards import builders


def factories(built_type: Any) -> dict[str, Any]:
    def offer() -> RewardOffer:
        the_payout = builders.payout()
        assert the_payout.contact is not None
        return services.offer(the_payout.contact, the_payout.campaign, source="sakura-offer-marker")

    def event() -> PayoutEvent:
        found: PayoutEvent | None = PayoutEvent.objects.filter(payout=builders.payout()).first()
        assert found is not None
        return found

    return {
        "rewards.rewardcampaign": lambda t: built_type(
            builders.campaign(), ["sakura-reward-marker"]
        ),
        "rewards.payout": lambda t: built_type(builders.payout(), ["wmSakuraRewardMember"]),
        "rewards.rewardoffer": lambda t: built_type(offer(), ["sakura-offer-marker"]),
        "rewards.payoutevent": lambda t: built_type(event(), []),
    }
