"""Full follower import of an official account, resumable after any interruption.

WeChat lists followers 10,000 openids a page (user/get) and describes them 100 at a time
(user/info/batchget). A SyncRun keeps the page being worked on and the index of the next batch,
and each step (one task) imports one batch and moves the cursor in the same transaction: a step
that fails leaves the cursor where it was, and the next step does that batch again. Importing a
follower is an upsert on its openid, so a batch done twice still gives one contact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequn.audit.services import record
from shequn.channels import services as channel_services
from shequn.channels.models import OfficialAccount
from shequn.contacts.models import Contact, ContactTag, Identity, SyncRun, TagMirror
from shequn.jobs.tasks import enqueue_on_commit

BATCH = 100
GENDERS = {1: "male", 2: "female"}


def channel_ref(account: OfficialAccount) -> str:
    return f"oa:{account.uid}"


@transaction.atomic
def start_follower_sync(account: OfficialAccount) -> SyncRun:
    """Start an import, or resume the one already running for this account."""
    from shequn.contacts import tasks

    run = SyncRun.objects.filter(account=account, status=SyncRun.Status.RUNNING).first()
    if run is None:
        run = SyncRun.objects.create(account=account)
        record("contacts.sync.started", target=run, data={"account": str(account.uid)})
    enqueue_on_commit(tasks.sync_followers_page, run.tenant_id, run.pk)
    return run  # type: ignore[no-any-return]


def _at(timestamp: Any) -> datetime | None:
    try:
        seconds = int(timestamp or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds > 0 else None


def apply_user_info(contact: Contact, info: dict[str, Any], ref: str) -> Contact:
    """The parts of a user/info answer that describe the person: unionid, profile, tags."""
    from shequn.contacts import services

    contact = services.attach_unionid(contact, str(info.get("unionid") or ""))
    changed: list[str] = []
    profile = {
        "remark": str(info.get("remark") or "")[:200],
        "language": str(info.get("language") or "")[:20],
        "gender": GENDERS.get(int(info.get("sex") or 0), ""),
        "nickname": str(info.get("nickname") or "")[:200],
        "avatar_url": str(info.get("headimgurl") or "")[:500],
    }
    for name, value in profile.items():
        if value and getattr(contact, name) != value:
            setattr(contact, name, value)
            changed.append(name)
    if changed:
        contact.save(update_fields=changed)
    remote_tags = [str(t) for t in info.get("tagid_list") or []]
    if remote_tags:
        tag_ids = TagMirror.objects.filter(channel_ref=ref, remote_id__in=remote_tags).values_list(
            "tag_id", flat=True
        )
        ContactTag.objects.bulk_create(
            [
                ContactTag(
                    contact=contact,
                    tag_id=tag_id,
                    source=ContactTag.Source.SYNC,
                    tenant_id=contact.tenant_id,
                )
                for tag_id in tag_ids
            ],
            ignore_conflicts=True,
        )
    return contact


def import_follower(account: OfficialAccount, info: dict[str, Any]) -> Contact | None:
    """One follower from user/info: contact, follow state, profile, unionid, tags, timeline."""
    from shequn.contacts import services

    openid = str(info.get("openid") or "")
    if not openid or not info.get("subscribe"):
        return None
    ref = channel_ref(account)
    at = _at(info.get("subscribe_time")) or timezone.now()
    scene = str(info.get("qr_scene_str") or info.get("subscribe_scene") or "")
    contact = services.follow(account, openid, channel_ref=ref, scene=scene, at=at)
    contact = apply_user_info(contact, info, ref)
    services.add_timeline_event(
        contact,
        "followed",
        channel_ref=ref,
        occurred_at=at,
        source_key=f"sync:{ref}:{openid}:{int(at.timestamp())}",
        data={"scene": scene, "imported": True},
    )
    return contact


def fetch_follower_info(account_id: int, openid: str) -> Contact | None:
    """Import one follower's user/info (profile, unionid); None when the account is gone."""
    account = OfficialAccount.objects.filter(pk=account_id).first()
    if account is None:
        return None
    with channel_services.official_account_client(account) as client:
        info = dict(client.users.info(openid))
    if not info.get("subscribe"):
        return None
    from shequn.contacts import services

    ref = channel_ref(account)
    contact = services.contact_for_identity(Identity.Kind.OA_OPENID, openid, ref)
    return apply_user_info(contact, info, ref)


def finish_run(run: SyncRun, status: str, error: str = "") -> None:
    run.status, run.error, run.finished_at = status, error[:300], timezone.now()
    run.page_openids = []
    run.save()
    record("contacts.sync.finished", target=run, data={"status": status, "imported": run.imported})


def run_sync_step(run: SyncRun) -> bool:
    """Import the next batch of 100 followers; True while there is more to do."""
    if run.status != SyncRun.Status.RUNNING:
        return False
    account = OfficialAccount.objects.get(pk=run.account_id)
    with channel_services.official_account_client(account) as client:
        start = run.batch_index * BATCH
        if not run.page_openids or start >= len(run.page_openids):
            is_first = not run.page_openids and run.batch_index == 0 and not run.page_cursor
            cursor = run.page_cursor if is_first else run.next_openid
            if not is_first and not cursor:
                finish_run(run, SyncRun.Status.DONE)
                return False
            page = client.users.followers(cursor)
            run.page_cursor, run.page_openids = cursor, list(page.openids)
            run.next_openid, run.batch_index, start = page.next_openid, 0, 0
            run.total = max(run.total, int(page.total or 0))
            if not run.page_openids:
                finish_run(run, SyncRun.Status.DONE)
                return False
        batch = run.page_openids[start : start + BATCH]
        infos = client.users.batch_info(batch)
    for info in infos:
        import_follower(account, dict(info))
    run.batch_index += 1
    run.imported += len(batch)
    run.save()
    return True


def sync_run_label(run: SyncRun) -> dict[str, Any]:
    """What the console and the command line show about a run."""
    return {
        "status": run.status,
        "imported": run.imported,
        "total": run.total,
        "percent": run.percent,
        "batch": run.batch_index,
        "error": run.error,
    }
