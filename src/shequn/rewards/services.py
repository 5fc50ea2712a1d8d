"""Writes of rewards: campaigns, offers, payouts created on a real group join, and settling a
payout from what Pay says (its answer, a notification, a query).

Money moves only in `rewards.issuing`, after commit. Here everything is a database write that
is idempotent for one source event: join callbacks and notifications are retried and replayed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from shequn.audit.services import record
from shequn.channels.models import PayMerchant
from shequn.community import queries as community_queries
from shequn.contacts import queries as contact_queries
from shequn.contacts import services as contact_services
from shequn.contacts.models import Contact, CustomerGroup, Identity
from shequn.core.logging import get_logger
from shequn.jobs.tasks import enqueue_on_commit
from shequn.rewards import payees, timing
from shequn.rewards.models import Payout, PayoutEvent, RewardCampaign, RewardOffer
from shequn.tenancy.scope import require_tenant
from shequn.wechat.pay.transfer_models import MIN_CASH_MARKETING_FEN, TransferState

log = get_logger(__name__)

Status = RewardCampaign.Status
Reason = RewardCampaign.PauseReason
State = Payout.State
# Paused for these reasons, a campaign still records what it owes: nothing is lost, and the
# payouts go out on resume. Paused by an operator or out of budget, joins are not rewarded.
ACCRUING_PAUSES = frozenset({Reason.INSUFFICIENT_BALANCE, Reason.QUOTA})
# How far ahead a daily cap may push a payout before the join is refused.
MAX_DAYS_AHEAD = 30

CAMPAIGN_FIELDS = (
    "name",
    "merchant",
    "appid",
    "target_pool",
    "amount_fen",
    "budget_fen",
    "per_person_cap",
    "daily_cap_fen",
    "quiet_start",
    "quiet_end",
    "requires_offer",
    "transfer_remark",
    "activity_name",
    "reward_description",
)


class CampaignInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# -- campaigns -----------------------------------------------------------------------------


def _check(campaign: RewardCampaign) -> None:
    from django.utils.translation import gettext as _

    errors: dict[str, str] = {}
    if campaign.amount_fen is None or campaign.amount_fen < MIN_CASH_MARKETING_FEN:
        errors["amount_fen"] = _("WeChat Pay needs at least 0.10 CNY (10 fen) per cash reward.")
    elif campaign.budget_fen is not None and campaign.amount_fen > campaign.budget_fen:
        errors["budget_fen"] = _("The budget must cover at least one reward.")
    cap, amount = campaign.daily_cap_fen, campaign.amount_fen
    if cap is not None and amount is not None and cap < amount:
        errors["daily_cap_fen"] = _("The daily cap must cover at least one reward.")
    if (campaign.quiet_start is None) != (campaign.quiet_end is None):
        errors["quiet_end"] = _("Give both the start and the end of the quiet hours, or neither.")
    if campaign.per_person_cap is not None and campaign.per_person_cap < 1:
        errors["per_person_cap"] = _("At least one reward per person.")
    for name in ("name", "appid", "transfer_remark", "activity_name", "reward_description"):
        if not str(getattr(campaign, name) or "").strip():
            errors[name] = _("This field is required.")
    if errors:
        raise CampaignInvalid(errors)


def _assign(campaign: RewardCampaign, values: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        if name not in CAMPAIGN_FIELDS:
            raise TypeError(f"unknown campaign field {name!r}")
        try:
            current = getattr(campaign, name)
        except ObjectDoesNotExist:  # a new campaign has no merchant or pool yet
            current = None
        if current != value:
            setattr(campaign, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def create_campaign(**values: Any) -> RewardCampaign:
    campaign = RewardCampaign()
    _assign(campaign, values)
    _check(campaign)
    campaign.save()
    record("rewards.campaign_created", target=campaign, data={"amount_fen": campaign.amount_fen})
    return campaign


@transaction.atomic
def update_campaign(campaign: RewardCampaign, **values: Any) -> RewardCampaign:
    changed = _assign(campaign, values)
    _check(campaign)
    if changed:
        campaign.save()
        record("rewards.campaign_updated", target=campaign, data={"fields": changed})
    return campaign


@transaction.atomic
def pause_campaign(
    campaign: RewardCampaign, *, reason: str = Reason.OPERATOR, detail: str = ""
) -> RewardCampaign:
    """Stop sending; payouts already created stay as they are (nothing is lost)."""
    locked: RewardCampaign = RewardCampaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status == Status.ENDED:
        return locked
    if locked.status == Status.PAUSED and locked.paused_reason == reason:
        return locked
    locked.status, locked.paused_reason = Status.PAUSED, reason
    locked.paused_detail, locked.paused_at = detail[:300], timezone.now()
    locked.save(update_fields=["status", "paused_reason", "paused_detail", "paused_at"])
    record("rewards.campaign_paused", target=locked, data={"reason": reason})
    log.warning("rewards.campaign.paused", campaign=str(locked.uid), reason=reason)
    _copy_state(locked, campaign)
    return locked


@transaction.atomic
def resume_campaign(campaign: RewardCampaign) -> int:
    """Active again; every payout it still owes is queued for sending. Returns how many."""
    locked: RewardCampaign = RewardCampaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status == Status.ENDED:
        return 0
    if locked.status == Status.PAUSED:
        locked.status, locked.paused_reason, locked.paused_detail = Status.ACTIVE, "", ""
        locked.paused_at = None
        locked.save(update_fields=["status", "paused_reason", "paused_detail", "paused_at"])
        record("rewards.campaign_resumed", target=locked)
    _copy_state(locked, campaign)
    owed = list(
        Payout.objects.filter(campaign=locked, state=State.CREATED).values_list("pk", flat=True)
    )
    for payout_id in owed:
        _queue(payout_id)
    return len(owed)


@transaction.atomic
def end_campaign(campaign: RewardCampaign) -> RewardCampaign:
    """No new rewards; payouts in flight still settle."""
    if campaign.status != Status.ENDED:
        campaign.status = Status.ENDED
        campaign.save(update_fields=["status"])
        record("rewards.campaign_ended", target=campaign)
    return campaign


def _copy_state(source: RewardCampaign, target: RewardCampaign) -> None:
    for name in ("status", "paused_reason", "paused_detail", "paused_at"):
        setattr(target, name, getattr(source, name))


# -- offers --------------------------------------------------------------------------------


def offer(contact: Contact, campaign: RewardCampaign, *, source: str = "") -> RewardOffer:
    """Record that this person was promised the campaign's reward (idempotent)."""
    contact = contact_services.resolve(contact)
    found: RewardOffer | None = RewardOffer.objects.filter(
        campaign=campaign, contact=contact
    ).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            made: RewardOffer = RewardOffer.objects.create(
                campaign=campaign, contact=contact, source=source[:200]
            )
            return made
    except IntegrityError:
        again: RewardOffer = RewardOffer.objects.get(campaign=campaign, contact=contact)
        return again


def _offer_of(campaign: RewardCampaign, contact: Contact) -> RewardOffer | None:
    # Offers made to contacts that were later merged into this one count too.
    return (
        RewardOffer.objects.filter(campaign=campaign)
        .filter(Q(contact=contact) | Q(contact__merged_into=contact))
        .order_by("id")
        .first()
    )


def _refuse(offer_row: RewardOffer | None, reason: str) -> None:
    log.info("rewards.join.not_rewarded", reason=reason)
    if offer_row is not None:
        offer_row.refused_reason, offer_row.refused_at = reason, timezone.now()
        offer_row.save(update_fields=["refused_reason", "refused_at"])


# -- joins ---------------------------------------------------------------------------------


def on_group_join(group: CustomerGroup, member_ids: Iterable[str]) -> list[Payout]:
    """Members really joined `group`: create the payouts their campaigns owe them.

    Idempotent: a duplicated or replayed join event finds the payout of its person and group.
    """
    pool = community_queries.pool_of_group(group)
    if pool is None:
        return []
    campaigns = list(
        RewardCampaign.objects.filter(target_pool=pool).exclude(status=Status.ENDED).order_by("id")
    )
    if not campaigns:
        return []
    corp_ref = f"wecom:{group.corp.uid}"
    ids = list(member_ids)
    found = contact_queries.contact_ids_by_identity(
        Identity.Kind.WECOM_EXTERNAL_USERID, ids, corp_ref
    )
    created: list[Payout] = []
    for member_id in ids:
        contact_id = found.get(member_id)
        if contact_id is None:
            continue  # staff, or a customer nobody added: no one promised them anything
        contact = contact_services.resolve(Contact.objects.get(pk=contact_id))
        for campaign in campaigns:
            payout = _reward_join(campaign, contact, group, member_id)
            if payout is not None:
                created.append(payout)
    return created


def _person_payouts(campaign: RewardCampaign, contact: Contact, unionid: str) -> Any:
    match = Q(person_key=payees.person_key(contact, "")) | Q(contact=contact)
    if unionid:
        match |= Q(person_key=payees.person_key(contact, unionid)) | Q(unionid=unionid)
    return Payout.objects.filter(campaign=campaign).filter(match)


def _used_fen(campaign: RewardCampaign, since: datetime | None = None, until: Any = None) -> int:
    rows = Payout.objects.filter(campaign=campaign).exclude(state__in=Payout.RELEASED_STATES)
    if since is not None:
        rows = rows.filter(due_at__gte=since, due_at__lt=until)
    total = rows.aggregate(total=Sum("amount_fen"))["total"]
    return int(total or 0)


def _due_at(campaign: RewardCampaign, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When the payout may go out: after quiet hours, on the first day the daily cap allows."""
    due = timing.first_send_time(now, tz, campaign.quiet_start, campaign.quiet_end)
    if campaign.daily_cap_fen is None:
        return due
    for _day in range(MAX_DAYS_AHEAD):
        start, end = timing.day_bounds(due, tz)
        if _used_fen(campaign, start, end) + campaign.amount_fen <= campaign.daily_cap_fen:
            return due
        due = timing.first_send_time(end, tz, campaign.quiet_start, campaign.quiet_end)
    return None


def _reward_join(
    campaign: RewardCampaign, contact: Contact, group: CustomerGroup, member_id: str
) -> Payout | None:
    with transaction.atomic():
        # One join at a time per campaign: the budget and caps are checked against settled sums.
        campaign = RewardCampaign.objects.select_for_update().get(pk=campaign.pk)
        offer_row = _offer_of(campaign, contact)
        if campaign.requires_offer and offer_row is None:
            return None
        unionid = payees.unionid_of(contact)
        mine = _person_payouts(campaign, contact, unionid)
        if mine.filter(group=group).exists():
            return None  # this join was already rewarded (a duplicate or replayed event)
        if campaign.status == Status.ENDED:
            return None
        if campaign.status == Status.PAUSED and campaign.paused_reason not in ACCRUING_PAUSES:
            _refuse(offer_row, campaign.paused_reason or "paused")
            return None
        live = mine.exclude(state__in=Payout.RELEASED_STATES)
        if live.filter(state__in=[State.CREATED, State.WAITING]).exists():
            _refuse(offer_row, "in_flight")
            return None
        if live.count() >= campaign.per_person_cap:
            _refuse(offer_row, "per_person_cap")
            return None
        if _used_fen(campaign) + campaign.amount_fen > campaign.budget_fen:
            _refuse(offer_row, Reason.BUDGET_EXHAUSTED)
            pause_campaign(
                campaign, reason=Reason.BUDGET_EXHAUSTED, detail=f"{_used_fen(campaign)} fen"
            )
            return None
        tz = ZoneInfo(require_tenant().time_zone)
        now = timezone.now()
        due = _due_at(campaign, now, tz)
        if due is None:
            _refuse(offer_row, "daily_cap")
            return None
        person = payees.person_key(contact, unionid)
        sequence = Payout.objects.filter(campaign=campaign, person_key=person).count() + 1
        try:
            with transaction.atomic():
                payout: Payout = Payout.objects.create(
                    campaign=campaign,
                    contact=contact,
                    group=group,
                    member_id=member_id,
                    person_key=person,
                    sequence=sequence,
                    unionid=unionid,
                    openid=payees.openid_under(contact, campaign.appid),
                    appid=campaign.appid,
                    amount_fen=campaign.amount_fen,
                    out_bill_no=payees.bill_number(
                        campaign.tenant_id, campaign.uid, person, sequence
                    ),
                    due_at=due,
                )
        except IntegrityError:
            return None  # a concurrent join of the same person made it first
        note = "" if due <= now else "scheduled"
        _event(payout, PayoutEvent.Source.JOIN, "", State.CREATED, note=note, chat=group.chat_id)
        if offer_row is not None and offer_row.refused_reason:
            offer_row.refused_reason, offer_row.refused_at = "", None
            offer_row.save(update_fields=["refused_reason", "refused_at"])
        if due <= now and campaign.status == Status.ACTIVE:
            _queue(payout.pk)
        log.info("rewards.payout.created", payout=str(payout.uid), due=due.isoformat())
        return payout


def _queue(payout_id: int) -> None:
    from shequn.rewards import tasks

    enqueue_on_commit(tasks.issue_payout, require_tenant().pk, payout_id)


# -- settling ------------------------------------------------------------------------------


def _event(
    payout: Payout, source: str, before: str, after: str, *, note: str = "", **data: Any
) -> PayoutEvent:
    event: PayoutEvent = PayoutEvent.objects.create(
        payout=payout, source=source, from_state=before, to_state=after, note=note[:300], data=data
    )
    return event


def state_for(pay_state: str, fail_reason: str = "") -> str:
    """Our ledger state for a Pay bill state."""
    if pay_state == TransferState.SUCCESS:
        return State.PAID
    if pay_state == TransferState.FAIL:
        return State.FAILED
    if pay_state == TransferState.CANCELLED:
        return State.EXPIRED if fail_reason == "OVERDUE_CLOSE" else State.CANCELLED
    return State.WAITING  # accepted, processing, waiting for the user, transferring, canceling


@transaction.atomic
def settle(
    payout: Payout,
    pay_state: str,
    *,
    source: str,
    transfer_bill_no: str = "",
    package_info: str = "",
    fail_reason: str = "",
) -> Payout:
    """Apply what Pay says about the payout's bill. Pay's final word wins; anything else never
    moves a payout back out of a final state. Repeating the same news changes nothing."""
    locked: Payout = Payout.objects.select_for_update().get(pk=payout.pk)
    after = state_for(pay_state, fail_reason)
    before = locked.state
    if locked.is_final and (after not in Payout.FINAL_STATES or after == before):
        return locked
    fields = {"state": after, "pay_state": str(pay_state)}
    if transfer_bill_no:
        fields["transfer_bill_no"] = transfer_bill_no
    if package_info:
        fields["package_info"] = package_info
    if fail_reason:
        fields["fail_reason"] = fail_reason[:200]
    changed: dict[str, Any] = {k: v for k, v in fields.items() if getattr(locked, k) != v}
    if not changed:
        return locked
    for name, value in changed.items():
        setattr(locked, name, value)
    if after in Payout.FINAL_STATES and locked.settled_at is None:
        locked.settled_at = timezone.now()
        changed["settled_at"] = locked.settled_at
    locked.save(update_fields=[*changed, "updated_at"])
    if after != before or "pay_state" in changed:
        _event(locked, source, before, after, note=fail_reason, pay_state=str(pay_state))
    log.info("rewards.payout.settled", payout=str(locked.uid), state=after, source=source)
    return locked


def settle_notification(merchant: PayMerchant, resource: dict[str, Any]) -> Payout | None:
    """A verified MCHTRANSFER.BILL.FINISHED: settle the payout it is about (if it is ours)."""
    out_bill_no = str(resource.get("out_bill_no") or "")
    payout: Payout | None = (
        Payout.objects.filter(out_bill_no=out_bill_no, campaign__merchant=merchant)
        .select_related("campaign")
        .first()
    )
    if payout is None:
        return None
    amount = resource.get("transfer_amount")
    if amount is not None and int(amount) != payout.amount_fen:
        log.error("rewards.notification.amount_mismatch", payout=str(payout.uid))
        return payout
    return settle(
        payout,
        str(resource.get("state") or ""),
        source=PayoutEvent.Source.NOTIFICATION,
        transfer_bill_no=str(resource.get("transfer_bill_no") or ""),
        fail_reason=str(resource.get("fail_reason") or ""),
    )


# -- changes made while sending (called by rewards.issuing) ---------------------------------


@transaction.atomic
def note_attempt(payout: Payout) -> Payout:
    """Count an attempt before Pay is called; committed first, so a crash leaves a trace."""
    locked: Payout = Payout.objects.select_for_update().get(pk=payout.pk)
    locked.attempts += 1
    locked.last_attempt_at = timezone.now()
    locked.save(update_fields=["attempts", "last_attempt_at", "updated_at"])
    return locked


@transaction.atomic
def set_payee(payout: Payout, *, openid: str, unionid: str) -> Payout:
    locked: Payout = Payout.objects.select_for_update().get(pk=payout.pk)
    changed = []
    if openid and locked.openid != openid:
        locked.openid = openid
        changed.append("openid")
    if unionid and locked.unionid != unionid:
        locked.unionid = unionid
        changed.append("unionid")
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


@transaction.atomic
def close_locally(payout: Payout, state: str, reason: str, *, source: str) -> Payout:
    """Fail or cancel a payout that never reached Pay (no payee, a duplicate person)."""
    locked: Payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if locked.state != State.CREATED:
        return locked
    before = locked.state
    locked.state, locked.fail_reason, locked.settled_at = state, reason[:200], timezone.now()
    locked.save(update_fields=["state", "fail_reason", "settled_at", "updated_at"])
    _event(locked, source, before, state, note=reason)
    return locked


def note_event(payout: Payout, note: str, *, source: str = PayoutEvent.Source.SYSTEM) -> None:
    """A history line without a state change (a retry, a pause)."""
    _event(payout, source, payout.state, payout.state, note=note)


def duplicate_person(payout: Payout) -> bool:
    """Another live payout of the same campaign already rewards this payout's unionid."""
    if not payout.unionid:
        return False
    others = (
        Payout.objects.filter(campaign_id=payout.campaign_id, unionid=payout.unionid)
        .exclude(pk=payout.pk)
        .exclude(state__in=Payout.RELEASED_STATES)
    )
    return others.count() >= payout.campaign.per_person_cap


def attach_unionid(contact: Contact, unionid: str) -> Contact:
    return contact_services.attach_unionid(contact, unionid)


def operator_cancel(payout: Payout) -> Payout:
    """An operator gives up on a payout that was never sent (e.g. found to be fraud)."""
    locked = close_locally(payout, State.CANCELLED, "operator", source=PayoutEvent.Source.OPERATOR)
    record("rewards.payout_cancelled", target=locked)
    return locked
