"""Progression: members of a pool whose segment moved on (the baby grew) are invited to the next
pool once, by a 1:1 mass message (add_msg_template) from the owner of the group they are in."""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels import services as channel_services
from shequn.community.join_ways import PoolUnavailable, ensure_join_way
from shequn.community.models import GroupPool, PoolGroup, Progression
from shequn.contacts.models import GroupMembership
from shequn.core.logging import get_logger
from shequn.segments import queries as segment_queries
from shequn.wechat.errors import APIError

log = get_logger(__name__)
BATCH = 10_000  # add_msg_template takes at most 10,000 external_userids


def _candidates(pool: GroupPool, nxt: GroupPool) -> dict[str, list[tuple[int, str]]]:
    """sender userid → [(contact id, external userid)] of members to invite."""
    if nxt.segment is None:
        return {}
    in_next = set(segment_queries.member_ids(nxt.segment))
    if not in_next:
        return {}
    already = set(Progression.objects.filter(to_pool=nxt).values_list("contact_id", flat=True))
    next_groups = PoolGroup.objects.filter(pool=nxt).values_list("group_id", flat=True)
    in_next_groups = set(
        GroupMembership.objects.filter(
            group_id__in=next_groups, left_at__isnull=True, contact__isnull=False
        ).values_list("contact_id", flat=True)
    )
    rows = (
        GroupMembership.objects.filter(
            group_id__in=PoolGroup.objects.filter(pool=pool).values_list("group_id", flat=True),
            left_at__isnull=True,
            contact__isnull=False,
        )
        .exclude(member_type=1)
        .values_list("contact_id", "member_id", "group__owner_userid")
        .order_by("pk")
    )
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    seen: set[int] = set()
    for contact_id, member_id, owner in rows:
        if contact_id in seen or contact_id in already or contact_id in in_next_groups:
            continue
        if contact_id not in in_next or not owner:
            continue
        seen.add(contact_id)
        found[owner].append((contact_id, member_id))
    return found


def _text(nxt: GroupPool, qr_code: str) -> str:
    intro = nxt.invite_text or _("You are warmly invited to our group “%(pool)s”.") % {
        "pool": nxt.name
    }
    return f"{intro}\n{qr_code}"


def invite_from(pool: GroupPool) -> int:
    """Invite the pool's members who now belong in its next pool; returns how many."""
    nxt = pool.next_pool
    if nxt is None or not nxt.active or nxt.segment is None or nxt.corp_id != pool.corp_id:
        return 0
    by_sender = _candidates(pool, nxt)
    if not by_sender:
        return 0
    try:
        way = ensure_join_way(nxt)
    except PoolUnavailable:
        log.warning("community.progression.next_pool_full", pool=str(nxt.uid))
        return 0
    invited = 0
    with channel_services.wecom_client(pool.corp) as client:
        for sender, people in by_sender.items():
            for start in range(0, len(people), BATCH):
                chunk = people[start : start + BATCH]
                try:
                    answer = client.call(
                        client.aio.group_messages.add_template,
                        chat_type="single",
                        sender=sender,
                        external_userids=[m for _, m in chunk],
                        text=_text(nxt, way.qr_code),
                    )
                except APIError as exc:
                    log.warning("community.progression.failed", sender=sender, code=exc.errcode)
                    continue
                failed = set(answer.get("fail_list") or [])
                for contact_id, member_id in chunk:
                    if member_id in failed:
                        continue
                    try:
                        with transaction.atomic():
                            Progression.objects.create(
                                contact_id=contact_id,
                                from_pool=pool,
                                to_pool=nxt,
                                sender_userid=sender,
                                msgid=str(answer.get("msgid") or ""),
                            )
                    except IntegrityError:
                        continue
                    invited += 1
    if invited:
        record(
            "community.progression.invited",
            target=pool,
            data={"to_pool": str(nxt.uid), "count": invited},
        )
    return invited


def invite_to_next_pools() -> int:
    """Every active pool with a next pool, in the current workspace."""
    total = 0
    for pool in GroupPool.objects.filter(active=True, next_pool__isnull=False).select_related(
        "next_pool", "corp"
    ):
        total += invite_from(pool)
    return total


__all__ = ["invite_from", "invite_to_next_pools"]
