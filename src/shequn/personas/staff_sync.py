"""Pulling the corp's staff from WeCom: who has customer contact (get_follow_user_list) and names.

Idempotent: an upsert per (corp, userid). Members who lost customer contact are marked inactive
(their customers stay recorded); members who regain it become active again unless an operator
had switched them off while they still had it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shequn.audit.services import record
from shequn.channels import services as channel_services
from shequn.channels.models import WeComCorp
from shequn.core.logging import get_logger
from shequn.personas.models import StaffAccount
from shequn.wechat.errors import APIError

log = get_logger(__name__)


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    deactivated: int
    total: int


def _names(client: Any, userids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for userid in userids:
        try:
            member = client.staff.get(userid)
        except APIError as exc:
            # A member outside the app's visible range: keep the userid as the name.
            log.info("personas.sync.no_name", userid=userid, errcode=exc.errcode)
            continue
        names[userid] = str(member.get("name") or "")
    return names


def sync_staff(corp: WeComCorp) -> SyncResult:
    """Mirror the corp's customer-contact staff into `StaffAccount` rows (raises on API errors)."""
    with channel_services.wecom_client(corp) as client:
        userids = list(dict.fromkeys(client.customers.follow_users()))
        names = _names(client, userids)
    now = timezone.now()
    existing = {s.userid: s for s in StaffAccount.objects.filter(corp=corp)}
    added = updated = deactivated = 0
    for userid in userids:
        staff = existing.get(userid)
        if staff is None:
            StaffAccount.objects.create(
                corp=corp, userid=userid, name=names.get(userid, "") or userid, synced_at=now
            )
            added += 1
            continue
        changed = False
        name = names.get(userid)
        if name and name != staff.name:
            staff.name, changed = name, True
        if not staff.customer_contact_enabled:
            staff.customer_contact_enabled, staff.active, changed = True, True, True
        staff.synced_at = now
        staff.save(update_fields=["name", "customer_contact_enabled", "active", "synced_at"])
        updated += int(changed)
    listed = set(userids)
    for userid, staff in existing.items():
        if userid in listed or not staff.customer_contact_enabled:
            continue
        staff.customer_contact_enabled, staff.active, staff.synced_at = False, False, now
        staff.save(update_fields=["customer_contact_enabled", "active", "synced_at"])
        deactivated += 1
    result = SyncResult(added, updated, deactivated, len(userids))
    record(
        "personas.staff.synced",
        target=corp,
        data={
            "added": added,
            "updated": updated,
            "deactivated": deactivated,
            "total": len(userids),
        },
    )
    return result
