"""Progression: members of a pool whose segment moved on (the baby grew) are invited to the next
pool once, by a 1:1 mass message (add_msg_template) from the owner of the group they are in.

Exactly once: each invitation is recorded `pending` and committed before WeCom is called (the
call runs on commit); then it is marked `sent` with the msgid or `failed`. A row still pending
later (a crash after WeCom accepted, or a timeout) is never sent again: `check_pending` looks it
up in WeCom's mass messages (get_groupmsg_list_v2 + send results) and marks it sent, or
`uncertain` for an operator."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels import services as channel_services
from shequn.community.join_ways import PoolUnavailable, ensure_join_way
from shequn.community.models import GroupPool, PoolGroup, Progression
from shequn.contacts.models import GroupMembership
from shequn.core.logging import get_logger
from shequn.segments import queries as segment_queries
from shequn.tenancy.scope import require_tenant, tenant_scope
from shequn.wechat.errors import APIError, Retryable

log = get_logger(__name__)
BATCH = 10_000  # add_msg_template takes at most 10,000 external_userids
PENDING_GRACE = timedelta(minutes=10)  # a run still sending is not settled under its feet


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


def _record_pending(
    pool: GroupPool, nxt: GroupPool, by_sender: dict[str, list[tuple[int, str]]]
) -> list[tuple[str, list[int]]]:
    """One pending Progression per invited person (the unique constraint makes a second run a
    no-op); returns (sender, row ids) batches to send once this is committed."""
    batches: list[tuple[str, list[int]]] = []
    for sender, people in by_sender.items():
        ids: list[int] = []
        for contact_id, member_id in people:
            try:
                with transaction.atomic():
                    row = Progression.objects.create(
                        contact_id=contact_id,
                        from_pool=pool,
                        to_pool=nxt,
                        sender_userid=sender,
                        external_userid=member_id,
                        state=Progression.State.PENDING,
                    )
            except IntegrityError:
                continue
            ids.append(row.pk)
        for start in range(0, len(ids), BATCH):
            batches.append((sender, ids[start : start + BATCH]))
    return batches


def send_pending(pool_id: int, batches: list[tuple[str, list[int]]], qr_code: str) -> int:
    """Send the recorded invitations (runs after their rows committed, in autocommit) and mark
    each row sent with WeCom's msgid or failed. A crash after WeCom accepted a batch leaves its
    rows pending: `check_pending` settles them from WeCom's records, never by sending again."""
    pool = GroupPool.objects.select_related("corp", "next_pool").get(pk=pool_id)
    nxt = pool.next_pool
    if nxt is None:
        return 0
    invited = 0
    with channel_services.wecom_client(pool.corp) as client:
        for sender, ids in batches:
            rows = list(
                Progression.objects.filter(pk__in=ids, state=Progression.State.PENDING).order_by(
                    "pk"
                )
            )
            if not rows:
                continue
            try:
                answer = client.call(
                    client.aio.group_messages.add_template,
                    chat_type="single",
                    sender=sender,
                    external_userids=[r.external_userid for r in rows],
                    text=_text(nxt, qr_code),
                )
            except Retryable as exc:
                # The outcome is unknown (WeCom may have accepted it): settle from its records.
                log.warning("community.progression.unknown", sender=sender, error=str(exc))
                continue
            except APIError as exc:
                log.warning("community.progression.failed", sender=sender, code=exc.errcode)
                Progression.objects.filter(pk__in=[r.pk for r in rows]).update(
                    state=Progression.State.FAILED, error=f"{exc.errcode} {exc.errmsg}"[:200]
                )
                continue
            failed = set(answer.get("fail_list") or [])
            msgid = str(answer.get("msgid") or "")
            with transaction.atomic():
                for row in rows:
                    if row.external_userid in failed:
                        row.state, row.error = Progression.State.FAILED, "fail_list"
                    else:
                        row.state, row.msgid = Progression.State.SENT, msgid
                        invited += 1
                    row.save(update_fields=["state", "msgid", "error"])
    if invited:
        record(
            "community.progression.invited",
            target=pool,
            data={"to_pool": str(nxt.uid), "count": invited},
        )
    return invited


def invite_from(pool: GroupPool) -> int:
    """Invite the pool's members who now belong in its next pool; returns how many were
    recorded. The rows are committed before WeCom is called (the call runs on commit)."""
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
    batches = _record_pending(pool, nxt, by_sender)
    if not batches:
        return 0
    workspace, pool_id, qr_code = require_tenant(), pool.pk, way.qr_code

    def send() -> None:
        try:
            with tenant_scope(workspace):
                send_pending(pool_id, batches, qr_code)
        except Exception:  # the rows stay pending and are settled by check_pending
            log.exception("community.progression.send_failed", pool=str(pool.uid))

    transaction.on_commit(send)
    return sum(len(ids) for _, ids in batches)


def check_pending(*, older_than: timedelta = PENDING_GRACE) -> int:
    """Settle invitations left pending (a crash after WeCom accepted them, or an unknown
    outcome): found in WeCom's mass messages of that sender → sent with its msgid; not found →
    `uncertain`, for an operator to check; never sent again automatically. Returns how many
    rows were settled."""
    cutoff = timezone.now() - older_than
    pending = list(
        Progression.objects.filter(state=Progression.State.PENDING, sent_at__lt=cutoff)
        .select_related("from_pool__corp")
        .order_by("pk")
    )
    settled = 0
    by_key: dict[tuple[int, str], list[Progression]] = defaultdict(list)
    for row in pending:
        by_key[(row.from_pool.corp_id, row.sender_userid)].append(row)
    for (_corp_id, sender), rows in by_key.items():
        corp = rows[0].from_pool.corp
        try:
            sent_to = _sent_by(corp, sender, rows)
        except APIError as exc:
            log.warning("community.progression.check_failed", sender=sender, code=exc.errcode)
            continue
        for row in rows:
            msgid = sent_to.get(row.external_userid)
            if msgid:
                row.state, row.msgid = Progression.State.SENT, msgid
            else:
                row.state = Progression.State.UNCERTAIN
                row.error = "not found in WeCom's mass messages; check before inviting again"
            row.save(update_fields=["state", "msgid", "error"])
            settled += 1
    return settled


def _sent_by(corp: Any, sender: str, rows: list[Progression]) -> dict[str, str]:
    """external_userid → msgid of the sender's single-chat mass messages since the oldest row."""
    start = int(min(r.sent_at for r in rows).timestamp()) - 60
    end = min(start + 29 * 86400, int(timezone.now().timestamp()) + 60)
    found: dict[str, str] = {}
    with channel_services.wecom_client(corp) as client:
        cursor = ""
        while True:
            page = client.call(
                client.aio.group_messages.list_v2,
                chat_type="single",
                start_time=start,
                end_time=end,
                creator=sender,
                filter_type=2,
                limit=100,
                cursor=cursor,
            )
            for msg in page.get("group_msg_list") or []:
                msgid = str(msg.get("msgid") or "")
                result_cursor = ""
                while msgid:
                    result = client.call(
                        client.aio.group_messages.send_result,
                        msgid,
                        sender,
                        limit=1000,
                        cursor=result_cursor,
                    )
                    for item in result.get("send_list") or []:
                        found.setdefault(str(item.get("external_userid") or ""), msgid)
                    result_cursor = str(result.get("next_cursor") or "")
                    if not result_cursor:
                        break
            cursor = str(page.get("next_cursor") or "")
            if not cursor:
                return found


def invite_to_next_pools() -> int:
    """Every active pool with a next pool, in the current workspace (invitations left pending
    by an earlier run are settled first)."""
    check_pending()
    total = 0
    for pool in GroupPool.objects.filter(active=True, next_pool__isnull=False).select_related(
        "next_pool", "corp"
    ):
        total += invite_from(pool)
    return total


__all__ = ["check_pending", "invite_from", "invite_to_next_pools", "send_pending"]
