"""Writing campaigns, live codes and sticker batches (audited); attribution of adds; scans.

WeCom calls never run in the request: creating a code or a batch stores `pending` codes and
enqueues `livecodes.provision_codes` after commit (see `livecodes.provisioning`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels.models import WeComCorp
from shequn.contacts import services as contact_services
from shequn.contacts.models import Contact, Identity
from shequn.core.logging import get_logger
from shequn.jobs.tasks import enqueue_on_commit
from shequn.livecodes.models import MAX_STATE, Attribution, Campaign, InsertBatch, LiveCode
from shequn.personas import queries as persona_queries
from shequn.rewards import services as reward_services

log = get_logger(__name__)

MAX_BATCH = 5000  # stickers per lot; a batch is created by a background task in chunks
STATE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes: printed on the sticker
STATE_PREFIX = {
    Campaign.ChannelKind.PACKAGE_INSERT: "pi",
    Campaign.ChannelKind.STORE: "st",
    Campaign.ChannelKind.KOL: "kol",
    Campaign.ChannelKind.EVENT: "ev",
    Campaign.ChannelKind.AD: "ad",
    Campaign.ChannelKind.OTHER: "lc",
}

__all__ = [
    "LiveCodeInvalid",
    "count_scan",
    "create_batch",
    "create_campaign",
    "create_code",
    "delete_campaign",
    "record_add",
    "retry_failed",
    "update_campaign",
]


class LiveCodeInvalid(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


# -- campaigns -------------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "name",
    "channel_kind",
    "corp",
    "routing",
    "persona",
    "pool",
    "questionnaire",
    "reward",
    "label",
    "welcome_text",
    "active",
)


def _check_campaign(campaign: Campaign) -> None:
    errors = []
    campaign.name = campaign.name.strip()
    if not campaign.name or len(campaign.name) > 100:
        errors.append(_("A campaign needs a name of at most 100 characters."))
    if campaign.channel_kind not in Campaign.ChannelKind.values:
        errors.append(_("Choose a channel."))
    if campaign.routing not in Campaign.Routing.values:
        errors.append(_("Choose how customers are routed into groups."))
    if campaign.routing == Campaign.Routing.POOL and campaign.pool_id is None:
        errors.append(_("Routing to a fixed pool needs a group pool."))
    if len(campaign.welcome_text) > 3000:
        errors.append(_("The welcome text is limited to 3000 characters."))
    if len(campaign.label) > 40:
        errors.append(_("The sticker label is limited to 40 characters."))
    if errors:
        raise LiveCodeInvalid(errors)


def _save_campaign(campaign: Campaign) -> Campaign:
    _check_campaign(campaign)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError as exc:
        raise LiveCodeInvalid([_("A campaign with this name already exists.")]) from exc
    return campaign


def create_campaign(*, name: str, corp: WeComCorp, **fields: Any) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign(name=name, corp=corp, **fields)
    _save_campaign(campaign)
    record("livecodes.campaign.created", target=campaign, data={"name": campaign.name})
    return campaign


def update_campaign(campaign: Campaign, **fields: Any) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    if "corp" in fields and fields["corp"].pk != campaign.corp_id and campaign.codes.exists():
        raise LiveCodeInvalid([_("A campaign with live codes cannot move to another corp.")])
    for name, value in fields.items():
        setattr(campaign, name, value)
    _save_campaign(campaign)
    record(
        "livecodes.campaign.updated",
        target=campaign,
        data={"name": campaign.name, "fields": sorted(fields)},
    )
    if "persona" in fields:
        from shequn.livecodes.tasks import rebalance_campaign

        enqueue_on_commit(rebalance_campaign, campaign.tenant_id, campaign.pk)
    return campaign


def delete_campaign(campaign: Campaign) -> None:
    """Only a campaign without codes: printed stickers must keep working (deactivate instead)."""
    if campaign.codes.exists():
        raise LiveCodeInvalid(
            [_("This campaign has live codes that may be printed already; deactivate it instead.")]
        )
    record("livecodes.campaign.deleted", target=campaign, data={"name": campaign.name})
    campaign.delete()


# -- codes -----------------------------------------------------------------------------------


def new_state(campaign: Campaign, length: int = 10) -> str:
    prefix = STATE_PREFIX.get(Campaign.ChannelKind(campaign.channel_kind), "lc")
    return f"{prefix}-{''.join(secrets.choice(STATE_ALPHABET) for _ in range(length))}"


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _check_state(corp: WeComCorp, state: str) -> str:
    state = state.strip()
    if not state:
        raise LiveCodeInvalid([_("The state must not be empty.")])
    if len(state) > MAX_STATE:
        raise LiveCodeInvalid(
            [_("WeCom limits the state to %(max)d characters.") % {"max": MAX_STATE}]
        )
    if LiveCode.objects.filter(corp=corp, state=state).exists():
        raise LiveCodeInvalid([_("Another live code of this corp already uses this state.")])
    return state


def _provision_after_commit(campaign: Campaign) -> None:
    from shequn.livecodes.tasks import provision_codes

    enqueue_on_commit(provision_codes, campaign.tenant_id, campaign.pk)


def create_code(campaign: Campaign, *, label: str = "", state: str = "") -> LiveCode:
    """One code (a store poster, a KOL's link…); its contact way is created in the background."""
    state = _check_state(campaign.corp, state) if state else new_state(campaign)
    code = LiveCode(
        campaign=campaign,
        corp=campaign.corp,
        state=state,
        label=label.strip()[:60],
        token=new_token(),
    )
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError as exc:
        raise LiveCodeInvalid(
            [_("Another live code of this corp already uses this state.")]
        ) from exc
    record("livecodes.code.created", target=code, data={"state": code.state})
    _provision_after_commit(campaign)
    return code


def create_batch(campaign: Campaign, *, lot: str, quantity: int) -> InsertBatch:
    """A shipment lot: `quantity` unique codes, created in the background with progress."""
    lot = lot.strip()
    errors = []
    if not lot or len(lot) > 40:
        errors.append(_("A lot number of at most 40 characters is required."))
    if not 1 <= quantity <= MAX_BATCH:
        errors.append(_("A lot has between 1 and %(max)d stickers.") % {"max": MAX_BATCH})
    if errors:
        raise LiveCodeInvalid(errors)
    try:
        with transaction.atomic():
            batch: InsertBatch = InsertBatch.objects.create(
                campaign=campaign, lot=lot, quantity=quantity
            )
    except IntegrityError as exc:
        raise LiveCodeInvalid([_("This campaign already has a lot with this number.")]) from exc
    taken = set(LiveCode.objects.filter(corp=campaign.corp).values_list("state", flat=True))
    codes = []
    for serial in range(1, quantity + 1):
        state = new_state(campaign)
        while state in taken:
            state = new_state(campaign)
        taken.add(state)
        codes.append(
            LiveCode(
                tenant=campaign.tenant,
                campaign=campaign,
                batch=batch,
                serial=serial,
                corp=campaign.corp,
                state=state,
                label=f"{lot} #{serial}"[:60],
                token=new_token(),
            )
        )
    LiveCode.objects.bulk_create(codes, batch_size=500)
    record("livecodes.batch.created", target=batch, data={"lot": batch.lot, "quantity": quantity})
    _provision_after_commit(campaign)
    return batch


def retry_failed(campaign: Campaign) -> int:
    """Put the campaign's failed codes back in the queue (after fixing staff or quota)."""
    count = LiveCode.objects.filter(campaign=campaign, status=LiveCode.Status.FAILED).update(
        status=LiveCode.Status.PENDING, error=""
    )
    InsertBatch.objects.filter(campaign=campaign, status=InsertBatch.Status.FAILED).update(
        status=InsertBatch.Status.PROVISIONING, error="", finished_at=None
    )
    if count:
        record("livecodes.codes.retried", target=campaign, data={"count": count})
        _provision_after_commit(campaign)
    return count


def count_scan(code: LiveCode) -> None:
    """The landing page was opened (a scan of the printed or shared code)."""
    LiveCode.objects.filter(pk=code.pk).update(scans=F("scans") + 1)


# -- attribution -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AddEvent:
    corp: WeComCorp
    channel_ref: str
    state: str
    external_userid: str
    staff_userid: str
    at: datetime
    event_uid: UUID


def code_for_state(corp: Any, state: str) -> LiveCode | None:
    if not state:
        return None
    return LiveCode.objects.select_related("campaign").filter(corp=corp, state=state).first()


def contact_of(channel_ref: str, external_userid: str) -> Contact:
    return contact_services.contact_for_identity(
        Identity.Kind.WECOM_EXTERNAL_USERID, external_userid, channel_ref
    )


def record_add(event: AddEvent) -> Attribution | None:
    """Attribute a customer who added staff through one of our codes (idempotent per event):
    count the add, and promise the campaign's reward if it has one."""
    code = code_for_state(event.corp, event.state)
    if code is None:
        return None
    found: Attribution | None = Attribution.objects.filter(source_event=event.event_uid).first()
    if found is not None:
        return found
    contact = contact_of(event.channel_ref, event.external_userid)
    attribution: Attribution = Attribution.objects.create(
        contact=contact,
        code=code,
        campaign=code.campaign,
        external_userid=event.external_userid,
        staff_userid=event.staff_userid,
        source_event=event.event_uid,
        at=event.at,
    )
    LiveCode.objects.filter(pk=code.pk).update(adds=F("adds") + 1)
    _offer_reward(code, contact)
    _rebalance_if_full(code, event.staff_userid)
    log.info("livecodes.add.attributed", code=str(code.uid), campaign=str(code.campaign.uid))
    return attribution


def _offer_reward(code: LiveCode, contact: Contact) -> None:
    reward = code.campaign.reward
    if reward is not None:
        reward_services.offer(contact, reward, source=f"livecode:{code.state}")


def _rebalance_if_full(code: LiveCode, staff_userid: str) -> None:
    """The staff member just reached capacity: take them off the campaign's ways."""
    staff = persona_queries.staff_by_userid(code.corp, staff_userid)
    if staff is None or persona_queries.load(staff) < staff.effective_capacity:
        return
    from shequn.livecodes.tasks import rebalance_campaign

    enqueue_on_commit(rebalance_campaign, code.tenant_id, code.campaign_id)


def note_welcome(attribution: Attribution, *, text: str, url: str, routed_to: str) -> None:
    attribution.welcome_text = text
    attribution.invitation_url = url[:2048]
    attribution.routed_to = routed_to[:100]
    attribution.save(update_fields=["welcome_text", "invitation_url", "routed_to"])
