"""Sending payouts to WeChat Pay and reconciling them: the only place money moves.

Order of things, so that money moves at most once:
1. The payout row (with its deterministic `out_bill_no`) is committed before Pay is called.
2. The attempt is counted and committed, then Pay is called outside any transaction (a slow Pay
   must not hold the database's write lock), then the answer is recorded.
3. Timeouts, 5xx and unreadable answers leave the payout `created`: the next try sends the SAME
   out_bill_no, and Pay answers with the bill it already has. A `created` payout that was tried
   before is first looked up at Pay (GET out-bill-no): a bill found there is adopted, never paid
   again ("crash between paying and recording").
4. NOT_ENOUGH / quota errors pause the campaign with the reason; the payout stays `created` and
   goes out on resume.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequn.channels import services as channel_services
from shequn.contacts.models import Contact
from shequn.core.logging import get_logger
from shequn.jobs.tasks import backoff_delay
from shequn.rewards import payees, services
from shequn.rewards.models import Payout, PayoutEvent, RewardCampaign
from shequn.tenancy.scope import tenant_scope
from shequn.wechat.exceptions import WeChatError
from shequn.wechat.pay import (
    InsufficientBalance,
    PayPermanentError,
    PayQuotaError,
    PayRetryable,
    PayValidationError,
    SceneReportInfo,
    TransferBillRequest,
)
from shequn.wechat.pay.errors import PayNotFound
from shequn.wechat.pay.transfer_models import SCENE_CASH_MARKETING

log = get_logger(__name__)

State = Payout.State
Source = PayoutEvent.Source
# Without an openid under the campaign's appid after this long, the payout fails (reason
# "no_openid") so that budget and caps are released; until then every sweep looks again.
NO_PAYEE_GIVE_UP = timedelta(days=7)
# The reconciler leaves alone what changed in the last minute (it is being handled).
RECONCILE_AFTER = timedelta(minutes=1)
QUICK_RETRIES = 5


def transfer_request(payout: Payout) -> TransferBillRequest:
    """The bill of a payout; always the same fields for the same payout (Pay's idempotency)."""
    campaign = payout.campaign
    return TransferBillRequest(
        appid=payout.appid,
        out_bill_no=payout.out_bill_no,
        transfer_scene_id=SCENE_CASH_MARKETING,
        openid=payout.openid,
        transfer_amount=payout.amount_fen,
        transfer_remark=campaign.transfer_remark,
        transfer_scene_report_infos=(
            SceneReportInfo("活动名称", campaign.activity_name),
            SceneReportInfo("奖励说明", campaign.reward_description),
        ),
        user_recv_perception="现金奖励",
    )


def _load(payout_id: int) -> Payout | None:
    return (
        Payout.objects.select_related("campaign", "campaign__merchant", "group", "group__corp")
        .filter(pk=payout_id)
        .first()
    )


def _resolve_payee(payout: Payout) -> Payout:
    """Find the openid (and unionid) of a payout created before they were known."""
    contact = payout.contact
    if contact is None:
        return payout
    unionid = payout.unionid or payees.unionid_of(contact)
    if not unionid and payout.group is not None and payout.member_id:
        unionid = payees.fetch_unionid(payout.group.corp, payout.member_id)
    if unionid:
        with transaction.atomic():
            # May merge the WeCom contact with the follower of the account: one person.
            contact = services.attach_unionid(contact, unionid)
    fresh = Contact.objects.filter(pk=contact.pk).first() or contact
    openid = payees.openid_under(fresh, payout.appid)
    return services.set_payee(payout, openid=openid, unionid=unionid)


def _ready(payout: Payout) -> Payout | None:
    """The payout if it should be sent now, after settling anything that stops it."""
    campaign: RewardCampaign = payout.campaign
    if payout.state != State.CREATED or campaign.status != RewardCampaign.Status.ACTIVE:
        return None
    if payout.due_at > timezone.now():
        return None
    if not payout.openid or not payout.unionid:
        payout = _resolve_payee(payout)
    if services.duplicate_person(payout):
        services.close_locally(payout, State.CANCELLED, "already_rewarded", source=Source.SYSTEM)
        return None
    if not payout.openid:
        if timezone.now() - payout.created_at > NO_PAYEE_GIVE_UP:
            services.close_locally(payout, State.FAILED, "no_openid", source=Source.SYSTEM)
        return None
    return payout


def issue(workspace: Any, payout_id: int, *, query_first: bool = False) -> str:
    """Send one payout's bill (or adopt the bill Pay already has). Returns what happened."""
    with tenant_scope(workspace):
        payout = _load(payout_id)
        if payout is None:
            return "missing"
        ready = _ready(payout)
        if ready is None:
            return "not_ready"
        payout = services.note_attempt(ready)
        return _send(payout, query_first=query_first or payout.attempts > 1)


def _settle_from_query(payout: Payout, found: Any) -> None:
    """Settle the payout from Pay's answer to a query of its bill."""
    services.settle(
        payout,
        found.state,
        source=Source.QUERY,
        transfer_bill_no=found.transfer_bill_no,
        package_info=found.package_info or "",
        fail_reason=found.fail_reason or "",
    )


def _send(payout: Payout, *, query_first: bool) -> str:
    request = transfer_request(payout)
    try:
        with channel_services.pay_client(payout.campaign.merchant) as pay:
            if query_first:
                try:
                    found = pay.get_by_out_bill_no(payout.out_bill_no)
                except PayNotFound:
                    found = None
                if found is not None:
                    _settle_from_query(payout, found)
                    return "adopted"
            bill = pay.create(request)
    except PayValidationError as exc:
        services.close_locally(payout, State.FAILED, f"invalid: {exc}", source=Source.SYSTEM)
        return "invalid"
    except InsufficientBalance as exc:
        _pause(payout, RewardCampaign.PauseReason.INSUFFICIENT_BALANCE, exc)
        return "paused"
    except PayQuotaError as exc:
        _pause(payout, RewardCampaign.PauseReason.QUOTA, exc)
        return "paused"
    except PayRetryable as exc:
        _retry(payout, exc)
        return "retry"
    except PayPermanentError as exc:
        return _refused(payout, exc)
    except (WeChatError, OSError) as exc:  # an answer we cannot trust: outcome unknown
        _retry(payout, exc)
        return "retry"
    services.settle(
        payout,
        bill.state,
        source=Source.API,
        transfer_bill_no=bill.transfer_bill_no,
        package_info=bill.package_info or "",
        fail_reason=bill.fail_reason or "",
    )
    return "sent"


def _pause(payout: Payout, reason: str, exc: Exception) -> None:
    with transaction.atomic():
        services.pause_campaign(payout.campaign, reason=reason, detail=str(exc)[:300])
        services.note_event(payout, f"campaign paused: {reason}")


def _retry(payout: Payout, exc: Exception) -> None:
    """Outcome unknown: try again later with the same out_bill_no (Pay answers a repeat with
    the bill it already has). After a few quick tries the reconciler keeps looking."""
    from shequn.rewards import tasks

    services.note_event(payout, f"retry: {str(exc)[:250]}")
    log.warning("rewards.payout.retry", payout=str(payout.uid), error=str(exc)[:200])
    if payout.attempts < QUICK_RETRIES:
        delay = backoff_delay(payout.attempts, base=5.0, cap=300.0)
        tasks.issue_payout.using(run_after=timezone.now() + delay).enqueue(
            payout.tenant_id, payout.pk
        )


def _refused(payout: Payout, exc: PayPermanentError) -> str:
    """Pay refused the request. If a bill with this number exists after all, adopt it."""
    try:
        with channel_services.pay_client(payout.campaign.merchant) as pay:
            found = pay.get_by_out_bill_no(payout.out_bill_no)
    except PayNotFound:
        found = None
    except (WeChatError, OSError) as lookup:
        _retry(payout, lookup)
        return "retry"
    if found is not None:
        _settle_from_query(payout, found)
        return "adopted"
    reason = f"{exc.code or exc.status}: {exc.message}"
    services.close_locally(payout, State.FAILED, reason, source=Source.API)
    return "failed"


def query(workspace: Any, payout_id: int) -> str:
    """Ask Pay about a bill in flight and settle it."""
    with tenant_scope(workspace):
        payout = _load(payout_id)
        if payout is None or payout.is_final or payout.state == State.CREATED:
            return "skipped"
        try:
            with channel_services.pay_client(payout.campaign.merchant) as pay:
                found = pay.get_by_out_bill_no(payout.out_bill_no)
        except PayNotFound:
            services.note_event(payout, "Pay does not know this bill", source=Source.QUERY)
            return "not_found"
        except (WeChatError, OSError) as exc:
            log.warning("rewards.reconcile.query_failed", payout=str(payout.uid), error=str(exc))
            return "error"
        _settle_from_query(payout, found)
        return "settled"


def reconcile(workspace: Any, *, min_age: timedelta = RECONCILE_AFTER) -> dict[str, int]:
    """Every payout not in a final state and untouched for `min_age`: bills in flight are
    queried and settled; owed payouts that are due are sent (after looking for a bill Pay may
    already have). Returns counts by outcome."""
    counts: dict[str, int] = {}
    with tenant_scope(workspace):
        cutoff = timezone.now() - min_age
        waiting = list(
            Payout.objects.filter(state=State.WAITING, updated_at__lte=cutoff)
            .order_by("id")
            .values_list("pk", flat=True)[:1000]
        )
        owed = list(
            Payout.objects.filter(
                state=State.CREATED,
                due_at__lte=timezone.now(),
                updated_at__lte=cutoff,
                campaign__status=RewardCampaign.Status.ACTIVE,
            )
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:1000]
        )
    for payout_id in waiting:
        outcome = query(workspace, payout_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    for payout_id in owed:
        outcome = issue(workspace, payout_id, query_first=True)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
