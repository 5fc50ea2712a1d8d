"""Keeping each pool's 「加入群聊」 way pointed at groups with room, and learning the groups
WeCom created through it. Called by `community.services`; the WeCom calls happen here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shequn.channels import services as channel_services
from shequn.community.allocation import PoolAllocator, way_targets
from shequn.community.models import WECOM_GROUP_CAP, GroupPool, JoinWay, PoolGroup
from shequn.contacts import services as contact_services
from shequn.contacts.models import CustomerGroup
from shequn.core.logging import get_logger
from shequn.wechat.errors import APIError

log = get_logger(__name__)

GONE = {40050, 49008}  # unknown chat_id, dismissed group


class PoolUnavailable(Exception):
    """The pool cannot take anyone now: no group yet, or every group is at the pool's cap and
    WeCom would not create the next one (the cap is below WeCom's own limit)."""


def pool_groups(pool: GroupPool) -> list[PoolGroup]:
    return list(
        PoolGroup.objects.filter(pool=pool, group__dismissed_at__isnull=True)
        .select_related("group")
        .order_by("position", "pk")
    )


def allocator(pool: GroupPool) -> PoolAllocator:
    return PoolAllocator(
        pool.max_members, [(pg.group.chat_id, pg.group.member_count) for pg in pool_groups(pool)]
    )


def _state(pool: GroupPool) -> str:
    return f"jw{pool.uid.hex[-16:]}"


def _fields(pool: GroupPool, way: JoinWay | None, chat_ids: list[str]) -> dict[str, Any]:
    return {
        "scene": 2,
        "chat_ids": chat_ids,
        "remark": pool.name[:30],
        "auto_create_room": 1,
        "room_base_name": (pool.room_base_name or pool.name)[:40],
        "room_base_id": way.room_base_id if way else 1,
        "state": way.state if way else _state(pool),
    }


def wecom_group_cap() -> int:
    """WeCom's own members-per-group limit (500); when every group of a pool is at it, a join way
    with auto_create_room makes the next group. Overridable for tests against the sandbox."""
    return int(getattr(settings, "COMMUNITY_WECOM_GROUP_CAP", WECOM_GROUP_CAP))


def ensure_join_way(pool: GroupPool) -> JoinWay:
    """Create the pool's join way, or point it at the groups with room (raises PoolUnavailable)."""
    alloc = allocator(pool)
    if not len(alloc):
        raise PoolUnavailable(pool.name)
    targets, all_full = way_targets(alloc)
    if all_full and pool.max_members < wecom_group_cap():
        raise PoolUnavailable(pool.name)
    way: JoinWay | None = JoinWay.objects.filter(pool=pool).first()
    if way is not None and way.chat_ids == targets:
        return way
    fields = _fields(pool, way, targets)
    with channel_services.wecom_client(pool.corp) as client:
        if way is None:
            config_id = client.call(client.aio.join_ways.add, **fields)
            detail = client.call(client.aio.join_ways.get, config_id)
            way = JoinWay.objects.create(
                pool=pool,
                config_id=config_id,
                qr_code=str(detail.get("qr_code") or ""),
                chat_ids=targets,
                state=str(fields["state"]),
            )
        else:
            chat_ids = fields.pop("chat_ids")
            client.call(
                client.aio.join_ways.update,
                way.config_id,
                chat_ids=chat_ids,
                **fields,
            )
            way.chat_ids = targets
            way.save(update_fields=["chat_ids", "updated_at"])
    log.info("community.join_way.pointed", pool=str(pool.uid), groups=len(targets))
    return way


def add_group(pool: GroupPool, group: CustomerGroup) -> PoolGroup:
    """Put a group at the end of the pool's filling order (a group is in one pool at most)."""
    existing: PoolGroup | None = PoolGroup.objects.filter(group=group).first()
    if existing is not None:
        return existing
    last = PoolGroup.objects.filter(pool=pool).aggregate(m=Max("position"))["m"]
    created: PoolGroup = PoolGroup.objects.create(pool=pool, group=group, position=(last or 0) + 1)
    return created


def pool_of_state(state: str) -> GroupPool | None:
    way = JoinWay.objects.filter(state=state).select_related("pool").first() if state else None
    return way.pool if way else None


@transaction.atomic
def refresh_group(corp_ref: str, group: CustomerGroup) -> CustomerGroup:
    """Read the group from WeCom (groupchat/get), keep its roster, adopt it into the pool whose
    join way brought its members, and re-point that pool's way if the group filled up."""
    now = timezone.now()
    try:
        with channel_services.wecom_client(group.corp) as client:
            detail = client.call(client.aio.group_chats.get, group.chat_id)
    except APIError as exc:
        if exc.errcode not in GONE:
            raise
        contact_services.group_dismissed(group, now)
        detail = {}
    else:
        contact_services.apply_group_detail(group, detail, corp_ref=corp_ref, at=now)
    member = PoolGroup.objects.filter(group=group).select_related("pool").first()
    pool = member.pool if member else None
    if pool is None:
        for entry in detail.get("member_list") or []:
            pool = pool_of_state(str(entry.get("state") or ""))
            if pool is not None:
                add_group(pool, group)
                log.info("community.group.adopted", pool=str(pool.uid), chat=group.chat_id)
                break
    # When WeCom rolled over into a new group it listed it on the way; when a group reached the
    # pool's cap it must leave the way. Either way the way is re-pointed.
    if pool is not None and pool.active and JoinWay.objects.filter(pool=pool).exists():
        try:
            ensure_join_way(pool)
        except PoolUnavailable:
            log.warning("community.pool.full", pool=str(pool.uid))
    return group


@transaction.atomic
def sync_pool(pool: GroupPool) -> int:
    """Ask WeCom for the pool's way and its groups; adopt groups it created; returns how many
    groups were read."""
    way = JoinWay.objects.filter(pool=pool).first()
    corp_ref = f"wecom:{pool.corp.uid}"
    chat_ids: list[str] = []
    if way is not None:
        with channel_services.wecom_client(pool.corp) as client:
            detail = client.call(client.aio.join_ways.get, way.config_id)
        for chat_id in detail.get("chat_id_list") or []:
            group = contact_services.group(pool.corp, str(chat_id), timezone.now())
            if not PoolGroup.objects.filter(group=group).exists():
                add_group(pool, group)
        way.chat_ids = list(detail.get("chat_id_list") or [])
        way.save(update_fields=["chat_ids", "updated_at"])
    for pg in pool_groups(pool):
        chat_ids.append(pg.group.chat_id)
        refresh_group(corp_ref, pg.group)
    return len(chat_ids)


__all__ = [
    "PoolUnavailable",
    "add_group",
    "allocator",
    "ensure_join_way",
    "pool_groups",
    "refresh_group",
    "sync_pool",
]
