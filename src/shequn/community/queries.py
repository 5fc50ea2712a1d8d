"""Reads of community (tenant-scoped): pools, groups with their pool and fill, rosters, and growth
and churn per group and per pool over a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shequn.community.models import GroupPool, JoinWay, PoolGroup, Progression, Questionnaire
from shequn.contacts.models import CustomerGroup, GroupMembership
from shequn.personas import queries as persona_queries
from shequn.personas.models import Persona

WINDOWS = (7, 30)


def pools() -> QuerySet[GroupPool]:
    """Every pool, by priority then name, with its group count and members now."""
    found: QuerySet[GroupPool] = (
        GroupPool.objects.select_related("segment", "next_pool", "corp")
        .annotate(
            group_count=Count(
                "pool_groups", filter=Q(pool_groups__group__dismissed_at__isnull=True)
            ),
            members=Sum(
                "pool_groups__group__member_count",
                filter=Q(pool_groups__group__dismissed_at__isnull=True),
            ),
        )
        .order_by("priority", "name")
    )
    return found


def pool_of_group(group: CustomerGroup) -> GroupPool | None:
    member = PoolGroup.objects.filter(group=group).select_related("pool").first()
    return member.pool if member else None


def join_way(pool: GroupPool) -> JoinWay | None:
    return JoinWay.objects.filter(pool=pool).first()


def questionnaires() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.prefetch_related("pools").order_by("name")


def groups(
    *,
    pool: GroupPool | None = None,
    owner: str = "",
    owners: list[str] | None = None,
    staff: list[tuple[int, str]] | None = None,
    q: str = "",
    include_dismissed: bool = False,
) -> QuerySet[CustomerGroup]:
    """Customer groups, newest first, filterable by pool, owner userid (or several), owning staff
    as (corp id, userid) pairs (a persona's staff: `persona_staff(persona)`) and name."""
    found = CustomerGroup.objects.select_related("corp")
    if not include_dismissed:
        found = found.filter(dismissed_at__isnull=True)
    if pool is not None:
        found = found.filter(
            pk__in=PoolGroup.objects.filter(pool=pool).values_list("group_id", flat=True)
        )
    if owner:
        found = found.filter(owner_userid=owner)
    if owners is not None:
        found = found.filter(owner_userid__in=owners)
    if staff is not None:
        either = Q(pk__in=[])
        for corp_id, userid in staff:
            either |= Q(corp_id=corp_id, owner_userid=userid)
        found = found.filter(either)
    if q:
        found = found.filter(Q(name__icontains=q) | Q(chat_id=q))
    return found.order_by("-created_at", "-pk")


def persona_staff(persona: Persona) -> list[tuple[int, str]]:
    """(corp id, userid) of the staff accounts wearing the persona, for `groups(staff=...)`."""
    return [(s.corp_id, s.userid) for s in persona_queries.staff_accounts(persona=persona)]


def pool_names(group_ids: list[int]) -> dict[int, GroupPool]:
    return {
        pg.group_id: pg.pool
        for pg in PoolGroup.objects.filter(group_id__in=group_ids).select_related("pool")
    }


def owners() -> list[str]:
    return list(
        CustomerGroup.objects.exclude(owner_userid="")
        .order_by("owner_userid")
        .values_list("owner_userid", flat=True)
        .distinct()
    )


def pool_groups(pool: GroupPool) -> list[PoolGroup]:
    return list(
        PoolGroup.objects.filter(pool=pool)
        .select_related("group")
        .order_by("group__dismissed_at", "position", "pk")
    )


def roster(group: CustomerGroup, *, include_left: bool = True) -> QuerySet[GroupMembership]:
    found = GroupMembership.objects.filter(group=group).select_related("contact")
    if not include_left:
        found = found.filter(left_at__isnull=True)
    return found.order_by("left_at", "-joined_at", "pk")


@dataclass(frozen=True)
class Health:
    """Joins, quits and the size now over the last `days`; churn is quits over the members the
    window started with plus those who joined in it."""

    days: int
    size: int
    joins: int
    quits: int

    @property
    def growth(self) -> int:
        return self.joins - self.quits

    @property
    def churn_percent(self) -> float:
        base = self.size + self.quits
        return round(100.0 * self.quits / base, 1) if base else 0.0


def _health(memberships: QuerySet[GroupMembership], size: int, days: int, now: datetime) -> Health:
    since = now - timedelta(days=days)
    counts: dict[str, Any] = memberships.aggregate(
        joins=Count(
            "pk",
            filter=Q(joined_at__gte=since) & (Q(member_type=2) | Q(member_type__isnull=True)),
        ),
        quits=Count("pk", filter=Q(left_at__gte=since)),
    )
    return Health(days=days, size=size, joins=counts["joins"] or 0, quits=counts["quits"] or 0)


def group_stats(
    group: CustomerGroup | None = None,
    *,
    pool: GroupPool | None = None,
    days: int = 7,
    now: datetime | None = None,
) -> Health:
    """Growth and churn of one group, or of all groups of a pool, over the last `days`."""
    moment = now or timezone.now()
    if group is not None:
        return _health(
            GroupMembership.objects.filter(group=group), group.member_count, days, moment
        )
    if pool is None:
        raise ValueError("give a group or a pool")
    group_ids = PoolGroup.objects.filter(pool=pool).values_list("group_id", flat=True)
    size = (
        CustomerGroup.objects.filter(pk__in=group_ids, dismissed_at__isnull=True).aggregate(
            s=Sum("member_count")
        )["s"]
        or 0
    )
    return _health(GroupMembership.objects.filter(group_id__in=group_ids), size, days, moment)


def progressions(pool: GroupPool, *, state: str | None = Progression.State.SENT) -> int:
    """How many members of the pool were invited on (by state; None: any)."""
    found = Progression.objects.filter(from_pool=pool)
    return (found if state is None else found.filter(state=state)).count()


def progressions_to_check(pool: GroupPool) -> int:
    """Invitations whose outcome WeCom's records could not confirm (an operator checks them)."""
    return progressions(pool, state=Progression.State.UNCERTAIN)


__all__ = [
    "WINDOWS",
    "Health",
    "group_stats",
    "groups",
    "join_way",
    "owners",
    "persona_staff",
    "pool_groups",
    "pool_names",
    "pool_of_group",
    "pools",
    "progressions",
    "progressions_to_check",
    "questionnaires",
    "roster",
]
