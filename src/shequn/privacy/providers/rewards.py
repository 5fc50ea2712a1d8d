"""rewards: promises of a reward and the payout ledger.

Export lists both. Erasure deletes the offers and anonymises the payouts: the ledger records
money that moved (and keeps the bill number Pay knows), so a payout stays, without the contact,
the unionid, the openid or the group member id. Payout events hold states and notes, no person.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shequn.privacy.registry import Subject, register
from shequn.rewards.models import Payout, RewardOffer


def _payouts(subject: Subject) -> QuerySet[Payout]:
    ids = subject.platform_ids
    return Payout.objects.filter(
        Q(contact_id__in=subject.contact_ids)
        | Q(unionid__in=ids)
        | Q(openid__in=ids)
        | Q(member_id__in=ids)
    ).exclude(unionid="", openid="", member_id="", contact__isnull=True)


def export(subject: Subject) -> dict[str, Any]:
    offers = RewardOffer.objects.filter(contact_id__in=subject.contact_ids).select_related(
        "campaign"
    )
    return {
        "offers": [
            {"campaign": o.campaign.name, "source": o.source, "at": o.created_at}
            for o in offers.order_by("id")
        ],
        "payouts": [
            {
                "campaign": p.campaign.name,
                "amount_fen": p.amount_fen,
                "state": p.state,
                "out_bill_no": p.out_bill_no,
                "openid": p.openid,
                "created_at": p.created_at,
                "settled_at": p.settled_at,
            }
            for p in _payouts(subject).select_related("campaign").order_by("id")
        ],
    }


def erase(subject: Subject) -> dict[str, int]:
    offers = RewardOffer.objects.filter(contact_id__in=subject.contact_ids)
    payouts = _payouts(subject)
    counts = {"offers": offers.count(), "payouts_anonymised": payouts.count()}
    offers.delete()
    for payout in payouts:
        # The person key may hold the unionid; an erased person counts as nobody known.
        payout.contact, payout.unionid, payout.openid = None, "", ""
        payout.member_id, payout.package_info = "", ""
        payout.person_key = f"erased:{payout.uid}"
        payout.save(
            update_fields=[
                "contact",
                "unionid",
                "openid",
                "member_id",
                "package_info",
                "person_key",
            ]
        )
    return counts


register(
    "rewards",
    export,
    erase,
    covers=["rewards.rewardoffer", "rewards.payout", "rewards.payoutevent"],
    order=50,
)
