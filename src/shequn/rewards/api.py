"""/api/v1 reward campaigns and the payout ledger.

Campaigns can be created, changed, paused and resumed; the ledger is read-only (money is moved
only by the product, from real joins): list with filters and cursor pagination, one payout with
its history.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.channels.models import PayMerchant
from shequn.community.models import GroupPool
from shequn.rewards import queries, services
from shequn.rewards.models import Payout, RewardCampaign
from shequn.tenancy.access import access_by_uid

router = Router(tags=["rewards"])


class CampaignIn(Schema):
    name: str = Field(..., max_length=100)
    merchant_uid: UUID
    appid: str = Field(..., max_length=32)
    target_pool_uid: UUID
    amount_fen: int = Field(..., ge=1)
    budget_fen: int = Field(..., ge=1)
    per_person_cap: int = Field(1, ge=1, le=100)
    daily_cap_fen: int | None = Field(None, ge=1)
    quiet_start: time | None = None
    quiet_end: time | None = None
    requires_offer: bool = True
    transfer_remark: str = Field(..., max_length=32)
    activity_name: str = Field(..., max_length=32)
    reward_description: str = Field(..., max_length=32)


class CampaignPatch(Schema):
    name: str | None = Field(None, max_length=100)
    appid: str | None = Field(None, max_length=32)
    amount_fen: int | None = Field(None, ge=1)
    budget_fen: int | None = Field(None, ge=1)
    per_person_cap: int | None = Field(None, ge=1, le=100)
    daily_cap_fen: int | None = Field(None, ge=1)
    quiet_start: time | None = None
    quiet_end: time | None = None
    requires_offer: bool | None = None
    transfer_remark: str | None = Field(None, max_length=32)
    activity_name: str | None = Field(None, max_length=32)
    reward_description: str | None = Field(None, max_length=32)


class CampaignOut(Schema):
    uid: UUID
    name: str
    merchant_uid: UUID
    appid: str
    target_pool_uid: UUID
    amount_fen: int
    budget_fen: int
    per_person_cap: int
    daily_cap_fen: int | None
    quiet_start: time | None
    quiet_end: time | None
    requires_offer: bool
    status: str
    paused_reason: str
    used_fen: int
    paid_fen: int
    today_fen: int
    created_at: datetime


class PayoutOut(Schema):
    uid: UUID
    campaign_uid: UUID
    contact_uid: UUID | None
    state: str
    amount_fen: int
    out_bill_no: str
    transfer_bill_no: str
    fail_reason: str
    attempts: int
    due_at: datetime
    created_at: datetime
    settled_at: datetime | None


class EventOut(Schema):
    source: str
    from_state: str
    to_state: str
    note: str
    at: datetime


class PayoutDetailOut(PayoutOut):
    history: list[EventOut]


class ResumeOut(Schema):
    campaign: CampaignOut
    requeued: int


def _campaign_out(campaign: RewardCampaign) -> CampaignOut:
    totals = queries.totals(campaign)
    return CampaignOut(
        uid=campaign.uid,
        name=campaign.name,
        merchant_uid=campaign.merchant.uid,
        appid=campaign.appid,
        target_pool_uid=campaign.target_pool.uid,
        amount_fen=campaign.amount_fen,
        budget_fen=campaign.budget_fen,
        per_person_cap=campaign.per_person_cap,
        daily_cap_fen=campaign.daily_cap_fen,
        quiet_start=campaign.quiet_start,
        quiet_end=campaign.quiet_end,
        requires_offer=campaign.requires_offer,
        status=campaign.status,
        paused_reason=campaign.paused_reason,
        used_fen=totals.used_fen,
        paid_fen=totals.paid_fen,
        today_fen=totals.today_fen,
        created_at=campaign.created_at,
    )


def _payout_out(payout: Payout) -> PayoutOut:
    return PayoutOut(
        uid=payout.uid,
        campaign_uid=payout.campaign.uid,
        contact_uid=payout.contact.uid if payout.contact else None,
        state=payout.state,
        amount_fen=payout.amount_fen,
        out_bill_no=payout.out_bill_no,
        transfer_bill_no=payout.transfer_bill_no,
        fail_reason=payout.fail_reason,
        attempts=payout.attempts,
        due_at=payout.due_at,
        created_at=payout.created_at,
        settled_at=payout.settled_at,
    )


def _invalid(exc: services.CampaignInvalid) -> ApiError:
    return ApiError(422, "invalid_campaign", str(exc), {"errors": exc.errors})


@router.get("/reward-campaigns", response=page_schema(CampaignOut), summary="Reward campaigns")
def list_campaigns(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.campaigns(), page, order_by="-created_at", serialize=_campaign_out)


@router.post("/reward-campaigns", response={201: CampaignOut}, summary="Create a campaign")
def create_campaign(request: HttpRequest, body: CampaignIn) -> tuple[int, CampaignOut]:
    values: dict[str, Any] = body.dict(exclude={"merchant_uid", "target_pool_uid"})
    values["merchant"] = access_by_uid(PayMerchant, body.merchant_uid)
    values["target_pool"] = access_by_uid(GroupPool, body.target_pool_uid)
    try:
        campaign = services.create_campaign(**values)
    except services.CampaignInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _campaign_out(campaign)


@router.get("/reward-campaigns/{uid}", response=CampaignOut, summary="One campaign")
def get_campaign(request: HttpRequest, uid: str) -> CampaignOut:
    return _campaign_out(access_by_uid(RewardCampaign, uid))


@router.patch("/reward-campaigns/{uid}", response=CampaignOut, summary="Change a campaign")
def update_campaign(request: HttpRequest, uid: str, body: CampaignPatch) -> CampaignOut:
    campaign = access_by_uid(RewardCampaign, uid)
    values = body.dict(exclude_unset=True)
    try:
        services.update_campaign(campaign, **values)
    except services.CampaignInvalid as exc:
        raise _invalid(exc) from exc
    return _campaign_out(campaign)


@router.post("/reward-campaigns/{uid}/pause", response=CampaignOut, summary="Pause sending")
def pause_campaign(request: HttpRequest, uid: str) -> CampaignOut:
    campaign = services.pause_campaign(access_by_uid(RewardCampaign, uid))
    return _campaign_out(campaign)


@router.post(
    "/reward-campaigns/{uid}/resume", response=ResumeOut, summary="Resume and send what is owed"
)
def resume_campaign(request: HttpRequest, uid: str) -> ResumeOut:
    campaign = access_by_uid(RewardCampaign, uid)
    requeued = services.resume_campaign(campaign)
    return ResumeOut(campaign=_campaign_out(campaign), requeued=requeued)


class PayoutFilters(Schema):
    state: str = Field("", description="created, waiting_confirmation, paid, expired, ...")
    campaign: UUID | None = Field(None, description="A campaign's uid.")
    since: date | None = Field(None, description="Created on or after (workspace date).")
    until: date | None = Field(None, description="Created on or before (workspace date).")


@router.get("/payouts", response=page_schema(PayoutOut), summary="The payout ledger")
def list_payouts(
    request: HttpRequest, page: Query[PageParams], filters: Query[PayoutFilters]
) -> dict[str, Any]:
    if filters.state and filters.state not in Payout.State.values:
        raise ApiError(422, "validation_error", "Unknown payout state.")
    campaign = access_by_uid(RewardCampaign, filters.campaign) if filters.campaign else None
    rows = queries.payouts(
        state=filters.state, campaign=campaign, since=filters.since, until=filters.until
    )
    return paginate(rows, page, order_by="-created_at", serialize=_payout_out)


@router.get("/payouts/{uid}", response=PayoutDetailOut, summary="One payout and its history")
def get_payout(request: HttpRequest, uid: str) -> PayoutDetailOut:
    payout = access_by_uid(Payout, uid)
    events = [
        EventOut(
            source=e.source, from_state=e.from_state, to_state=e.to_state, note=e.note, at=e.at
        )
        for e in queries.history(payout)
    ]
    return PayoutDetailOut(**_payout_out(payout).dict(), history=events)
