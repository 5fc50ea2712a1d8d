"""Creating and balancing the WeCom contact ways behind live codes (run by `livecodes.tasks`).

Each code is a multi-person QR contact way (`type=2, scene=2, skip_verify`) over the persona's
staff that are below capacity (`personas.queries.available_staff`, least loaded first, ≤100 per
way). Provisioning is resumable: codes are processed in small chunks, each step is keyed by the
code (a way is created only while the code has no `config_id`; the QR image is fetched while it
has no copy), and the task re-enqueues itself until nothing is pending. A frequency error
(45009/45033, `Retryable`) ends the chunk, keeps what was done and continues a minute later; the
500,000-way quota (41045) stops the campaign's pending codes with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.channels import services as channel_services
from shequn.core.logging import get_logger
from shequn.livecodes.models import Campaign, InsertBatch, LiveCode
from shequn.personas import queries as persona_queries
from shequn.wechat.errors import APIError, Retryable
from shequn.wechat.wecom.client import SyncWeComClient

log = get_logger(__name__)

CHUNK = 10  # codes per task run: keeps each transaction (and WeCom burst) short
MAX_WAY_USERS = 100  # WeCom: ≤100 users per contact way (41041)
MAX_QR_BYTES = 1_000_000
QUOTA_REACHED = 41045


@dataclass
class Progress:
    done: int = 0
    more: bool = False
    throttled: bool = False


def staff_for(campaign: Campaign) -> list[str]:
    """The userids a code of this campaign should point to now (available, least loaded first)."""
    if campaign.persona is None:
        return []
    staff = persona_queries.available_staff(campaign.persona)
    return [s.userid for s in staff if s.corp_id == campaign.corp_id][:MAX_WAY_USERS]


def fetch_qr(url: str) -> bytes | None:
    """Our own copy of WeCom's QR image, so pages and stickers need no external asset."""
    try:
        response = httpx.get(url, timeout=10, follow_redirects=True)
    except httpx.HTTPError as exc:
        log.warning("livecodes.qr.unreachable", error=type(exc).__name__)
        return None
    body = response.content
    if response.status_code != 200 or not body.startswith(b"\x89PNG") or len(body) > MAX_QR_BYTES:
        log.warning("livecodes.qr.refused", status=response.status_code, size=len(body))
        return None
    return body


def _fail(code: LiveCode, reason: str) -> None:
    code.status, code.error = LiveCode.Status.FAILED, reason[:300]
    code.save(update_fields=["status", "error"])


def _create_way(client: SyncWeComClient, code: LiveCode, users: list[str]) -> None:
    answer = client.call(
        client.aio.contact_ways.add,
        type=2,
        scene=2,
        users=users,
        state=code.state,
        remark=(code.label or code.campaign.name)[:30],
        skip_verify=True,
    )
    code.config_id = str(answer["config_id"])
    code.qr_code = str(answer.get("qr_code", ""))
    code.staff_userids = users
    code.save(update_fields=["config_id", "qr_code", "staff_userids"])


def provision(campaign: Campaign, *, chunk: int = CHUNK) -> Progress:
    """Create the next `chunk` pending codes' ways and fetch their QR images."""
    progress = Progress()
    pending = list(
        LiveCode.objects.filter(campaign=campaign, status=LiveCode.Status.PENDING)
        .select_related("campaign")
        .order_by("id")[: chunk + 1]
    )
    progress.more = len(pending) > chunk
    pending = pending[:chunk]
    if not pending:
        return progress
    users = staff_for(campaign)
    with channel_services.wecom_client(campaign.corp) as client:
        for code in pending:
            if not code.config_id:
                if not users:
                    _fail(code, _("No staff of the campaign's persona can take customers now."))
                    continue
                try:
                    _create_way(client, code, users)
                except Retryable as exc:
                    log.warning("livecodes.provision.throttled", errcode=exc.errcode)
                    progress.throttled = progress.more = True
                    break
                except APIError as exc:
                    _fail(code, str(exc))
                    if exc.errcode == QUOTA_REACHED:
                        _stop_pending(campaign, str(exc))
                        break
                    continue
            png = fetch_qr(code.qr_code) if code.qr_code else None
            if png is None:
                _fail(code, _("WeCom's QR image could not be fetched."))
                continue
            code.qr_png = png
            code.status, code.error = LiveCode.Status.ACTIVE, ""
            code.provisioned_at = timezone.now()
            code.save(update_fields=["qr_png", "status", "error", "provisioned_at"])
            progress.done += 1
    finish_batches(campaign)
    return progress


def _stop_pending(campaign: Campaign, reason: str) -> None:
    LiveCode.objects.filter(campaign=campaign, status=LiveCode.Status.PENDING).update(
        status=LiveCode.Status.FAILED, error=reason[:300]
    )


def finish_batches(campaign: Campaign) -> None:
    """Close the lots with no pending code left: ready, or stopped with the first error."""
    open_batches = InsertBatch.objects.filter(
        campaign=campaign, status=InsertBatch.Status.PROVISIONING
    ).annotate(
        pending=Count("codes", filter=Q(codes__status=LiveCode.Status.PENDING)),
        failed=Count("codes", filter=Q(codes__status=LiveCode.Status.FAILED)),
    )
    for batch in open_batches:
        if batch.pending:
            continue
        if batch.failed:
            first = batch.codes.filter(status=LiveCode.Status.FAILED).order_by("id").first()
            batch.status = InsertBatch.Status.FAILED
            batch.error = _("%(count)d codes failed: %(reason)s") % {
                "count": batch.failed,
                "reason": first.error if first else "",
            }
        else:
            batch.status, batch.error = InsertBatch.Status.READY, ""
        batch.error = batch.error[:300]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "error", "finished_at"])


def rebalance(campaign: Campaign, *, chunk: int = 100) -> Progress:
    """Point the campaign's ways at the staff below capacity now (`update_contact_way`)."""
    progress = Progress()
    users = staff_for(campaign)
    if not users:
        log.warning("livecodes.rebalance.no_staff", campaign=str(campaign.uid))
        return progress
    wanted = sorted(users)
    stale = [
        code
        for code in LiveCode.objects.filter(
            campaign=campaign, status=LiveCode.Status.ACTIVE
        ).exclude(config_id="")
        if sorted(code.staff_userids) != wanted
    ]
    progress.more = len(stale) > chunk
    with channel_services.wecom_client(campaign.corp) as client:
        for code in stale[:chunk]:
            try:
                client.call(client.aio.contact_ways.update, code.config_id, user=users)
            except Retryable:
                progress.throttled = progress.more = True
                break
            except APIError as exc:
                log.warning("livecodes.rebalance.failed", code=str(code.uid), errcode=exc.errcode)
                continue
            code.staff_userids = users
            code.save(update_fields=["staff_userids"])
            progress.done += 1
    return progress
