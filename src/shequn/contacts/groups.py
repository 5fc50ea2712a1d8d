"""WeCom customer groups in contacts: the group rows, who joined and left, and a group's detail
from WeCom (owner, members with join scene, inviter and join time). Part of `contacts.services`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from shequn.channels.models import WeComCorp
from shequn.contacts import services as contacts_core
from shequn.contacts.models import Contact, CustomerGroup, GroupMembership, Identity


def group(corp: WeComCorp, chat_id: str, at: datetime) -> CustomerGroup:
    return contacts_core._get_or_create(  # type: ignore[no-any-return]
        CustomerGroup, corp=corp, chat_id=chat_id, defaults={"created_at": at}
    )


def _member_contact(corp_ref: str, member_id: str) -> Contact | None:
    identity = Identity.objects.filter(
        kind=Identity.Kind.WECOM_EXTERNAL_USERID, channel_ref=corp_ref, value=member_id
    ).first()
    return contacts_core.resolve(identity.contact) if identity else None


@transaction.atomic
def members_joined(
    customer_group: CustomerGroup,
    member_ids: list[str] | tuple[str, ...],
    *,
    corp_ref: str,
    join_scene: int | None,
    at: datetime,
) -> list[GroupMembership]:
    joined = []
    for member_id in member_ids:
        membership = contacts_core._get_or_create(
            GroupMembership,
            group=customer_group,
            member_id=member_id,
            defaults={"joined_at": at, "join_scene": join_scene},
        )
        if membership.left_at is not None and at >= membership.left_at:
            membership.joined_at, membership.left_at = at, None
            membership.join_scene, membership.quit_scene = join_scene, None
        if membership.contact_id is None:
            membership.contact = _member_contact(corp_ref, member_id)
        membership.save()
        joined.append(membership)
    _recount(customer_group)
    return joined


def _recount(customer_group: CustomerGroup) -> None:
    count = GroupMembership.objects.filter(group=customer_group, left_at__isnull=True).count()
    if customer_group.detail_synced_at is None and customer_group.owner_userid:
        # Before the first groupchat/get only the events are known: the owner is not among them.
        count += 1
    customer_group.member_count = count
    customer_group.save(update_fields=["member_count"])


@transaction.atomic
def members_left(
    customer_group: CustomerGroup,
    member_ids: list[str] | tuple[str, ...],
    *,
    quit_scene: int | None,
    at: datetime,
) -> None:
    for member_id in member_ids:
        membership = contacts_core._get_or_create(
            GroupMembership, group=customer_group, member_id=member_id, defaults={"joined_at": at}
        )
        if membership.left_at is None and at >= membership.joined_at:
            membership.left_at, membership.quit_scene = at, quit_scene
            membership.save(update_fields=["left_at", "quit_scene"])
    _recount(customer_group)


def group_dismissed(customer_group: CustomerGroup, at: datetime) -> None:
    if customer_group.dismissed_at is None:
        customer_group.dismissed_at = at
        customer_group.save(update_fields=["dismissed_at"])
        GroupMembership.objects.filter(group=customer_group, left_at__isnull=True).update(
            left_at=at
        )
        customer_group.member_count = 0
        customer_group.save(update_fields=["member_count"])


@transaction.atomic
def apply_group_detail(
    customer_group: CustomerGroup, detail: dict[str, Any], *, corp_ref: str, at: datetime
) -> CustomerGroup:
    """Bring a group in line with WeCom's groupchat/get answer: name, owner, every member with
    type, join time and scene, inviter and join-way state; members no longer listed have left."""
    members = detail.get("member_list") or []
    listed = set()
    for entry in members:
        member_id = str(entry.get("userid") or "")
        if not member_id:
            continue
        listed.add(member_id)
        joined = (
            datetime.fromtimestamp(int(entry["join_time"]), tz=UTC)
            if entry.get("join_time")
            else at
        )
        membership = contacts_core._get_or_create(
            GroupMembership,
            group=customer_group,
            member_id=member_id,
            defaults={"joined_at": joined},
        )
        if membership.left_at is not None and joined >= membership.left_at:
            membership.left_at, membership.quit_scene = None, None
        membership.joined_at = joined
        membership.join_scene = entry.get("join_scene", membership.join_scene)
        membership.member_type = entry.get("type")
        membership.inviter_userid = str((entry.get("invitor") or {}).get("userid") or "")
        membership.name = str(entry.get("name") or membership.name)[:200]
        membership.state = str(entry.get("state") or "")[:30]
        if membership.contact_id is None and entry.get("type") == 2:
            membership.contact = _member_contact(corp_ref, member_id)
        membership.save()
    GroupMembership.objects.filter(group=customer_group, left_at__isnull=True).exclude(
        member_id__in=listed
    ).update(left_at=at)
    customer_group.name = str(detail.get("name") or customer_group.name)[:200]
    customer_group.owner_userid = str(detail.get("owner") or customer_group.owner_userid)
    customer_group.member_version = str(
        detail.get("member_version") or customer_group.member_version
    )
    customer_group.member_count = len(listed)
    customer_group.detail_synced_at = at
    customer_group.save(
        update_fields=[
            "name",
            "owner_userid",
            "member_version",
            "member_count",
            "detail_synced_at",
        ]
    )
    return customer_group
