"""Reads of rewards (tenant-scoped): campaigns with budget use, the ledger, daily totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shequn.contacts.models import Contact
from shequn.rewards import timing
from shequn.rewards.models import Payout, PayoutEvent, RewardCampaign
from shequn.tenancy.scope import require_tenant

_COMMITTED = ~Q(payouts__state__in=Payout.RELEASED_STATES)


def campaigns() -> QuerySet[RewardCampaign]:
    """Campaigns, newest first, with `used_fen` (paid or in flight) and `paid_fen`."""
    found: QuerySet[RewardCampaign] = (
        RewardCampaign.objects.select_related("merchant", "target_pool")
        .annotate(
            used_fen=Sum("payouts__amount_fen", filter=_COMMITTED),
            paid_fen=Sum("payouts__amount_fen", filter=Q(payouts__state=Payout.State.PAID)),
            paid_count=Count("payouts", filter=Q(payouts__state=Payout.State.PAID)),
        )
        .order_by("-created_at", "-id")
    )
    return found


def _zone() -> ZoneInfo:
    return ZoneInfo(require_tenant().time_zone)


@dataclass(frozen=True)
class CampaignTotals:
    used_fen: int  # paid or in flight: what the budget has given away
    paid_fen: int
    today_fen: int  # due today (workspace time zone), against the daily cap
    owed: int  # payouts created and not yet sent
    waiting: int  # bills waiting for the customer
    paid: int
    released: int  # expired, failed or cancelled


def totals(campaign: RewardCampaign) -> CampaignTotals:
    rows = Payout.objects.filter(campaign=campaign)
    live = rows.exclude(state__in=Payout.RELEASED_STATES)
    start, end = timing.day_bounds(timezone.now(), _zone())
    states = dict(rows.values_list("state").annotate(n=Count("id")).order_by())

    def fen(qs: QuerySet[Payout]) -> int:
        return int(qs.aggregate(t=Sum("amount_fen"))["t"] or 0)

    return CampaignTotals(
        used_fen=fen(live),
        paid_fen=fen(rows.filter(state=Payout.State.PAID)),
        today_fen=fen(live.filter(due_at__gte=start, due_at__lt=end)),
        owed=states.get(Payout.State.CREATED, 0),
        waiting=states.get(Payout.State.WAITING, 0),
        paid=states.get(Payout.State.PAID, 0),
        released=sum(states.get(s, 0) for s in Payout.RELEASED_STATES),
    )


def payouts(
    *,
    state: str = "",
    campaign: RewardCampaign | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Payout]:
    """The ledger, newest first; `since`/`until` are local dates of creation (inclusive)."""
    rows = Payout.objects.select_related("campaign", "contact", "group")
    if state:
        rows = rows.filter(state=state)
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    zone = _zone()
    if since is not None:
        rows = rows.filter(created_at__gte=datetime.combine(since, datetime.min.time(), zone))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), zone)
        rows = rows.filter(created_at__lt=end)
    return rows.order_by("-created_at", "-id")


def payouts_for(contact: Contact) -> QuerySet[Payout]:
    """Every payout of a person (this contact and those merged into it), newest first."""
    return (
        Payout.objects.filter(Q(contact=contact) | Q(contact__merged_into=contact))
        .select_related("campaign")
        .order_by("-created_at", "-id")
    )


def history(payout: Payout) -> QuerySet[PayoutEvent]:
    return PayoutEvent.objects.filter(payout=payout).order_by("at", "id")


@dataclass(frozen=True)
class DayTotal:
    day: date
    paid_fen: int
    paid: int
    created: int


def daily_totals(
    campaign: RewardCampaign | None = None, *, days: int = 30, today: date | None = None
) -> list[DayTotal]:
    """Per local day of the last `days`: money paid (by settlement day) and payouts created."""
    zone = _zone()
    today = today or timezone.now().astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), zone)
    rows = Payout.objects.all()
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    paid: dict[date, tuple[int, int]] = {}
    for settled_at, amount in rows.filter(
        state=Payout.State.PAID, settled_at__gte=start
    ).values_list("settled_at", "amount_fen"):
        day = settled_at.astimezone(zone).date()
        fen, count = paid.get(day, (0, 0))
        paid[day] = (fen + amount, count + 1)
    created: dict[date, int] = {}
    for created_at in rows.filter(created_at__gte=start).values_list("created_at", flat=True):
        day = created_at.astimezone(zone).date()
        created[day] = created.get(day, 0) + 1
    out = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        fen, count = paid.get(day, (0, 0))
        out.append(DayTotal(day, fen, count, created.get(day, 0)))
    return out
