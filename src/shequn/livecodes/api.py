"""/api/v1/livecodes: acquisition campaigns, their live codes and package-insert lots, with scan
and add stats; sticker sheets (PDF) and PNG archives of a lot."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.channels.models import WeComCorp
from shequn.community.models import GroupPool, Questionnaire
from shequn.livecodes import queries, services, stickers
from shequn.livecodes.models import Attribution, Campaign, InsertBatch, LiveCode
from shequn.livecodes.services import LiveCodeInvalid
from shequn.personas.models import Persona
from shequn.rewards.models import RewardCampaign
from shequn.tenancy.access import access_by_uid

router = Router(tags=["livecodes"])


class CampaignIn(Schema):
    name: str = Field(..., max_length=100)
    channel_kind: str = Field("other", description="package_insert|store|kol|event|ad|other")
    corp: UUID
    persona: UUID | None = None
    routing: str = Field("pool", description="pool|attributes|questionnaire")
    pool: UUID | None = None
    questionnaire: UUID | None = None
    reward: UUID | None = None
    label: str = Field("", max_length=40)
    welcome_text: str = Field("", max_length=3000)
    active: bool = True


class CampaignPatch(Schema):
    name: str | None = Field(None, max_length=100)
    channel_kind: str | None = None
    persona: UUID | None = None
    routing: str | None = None
    pool: UUID | None = None
    questionnaire: UUID | None = None
    reward: UUID | None = None
    label: str | None = Field(None, max_length=40)
    welcome_text: str | None = Field(None, max_length=3000)
    active: bool | None = None


class CampaignOut(Schema):
    uid: UUID
    name: str
    channel_kind: str
    corp: UUID
    persona: UUID | None
    routing: str
    pool: UUID | None
    questionnaire: UUID | None
    reward: UUID | None
    label: str
    welcome_text: str
    active: bool
    codes: int
    scans: int
    adds: int
    conversion: float | None
    created_at: datetime


class CodeIn(Schema):
    label: str = Field("", max_length=60)
    state: str = Field("", max_length=30, description="Blank: generated (unique in the corp)")


class CodeOut(Schema):
    uid: UUID
    state: str
    label: str
    status: str
    error: str
    lot: str | None
    serial: int
    staff_userids: list[str]
    scans: int
    adds: int
    conversion: float | None
    landing_url: str
    qr_code: str
    created_at: datetime


class BatchIn(Schema):
    lot: str = Field(..., max_length=40)
    quantity: int = Field(..., ge=1, le=services.MAX_BATCH)


class BatchOut(Schema):
    uid: UUID
    lot: str
    quantity: int
    ready: int
    status: str
    error: str
    created_at: datetime
    finished_at: datetime | None


class AttributionOut(Schema):
    contact: UUID
    code: UUID
    staff_userid: str
    at: datetime
    routed_to: str
    invitation_url: str


def _uid(obj: Any) -> UUID | None:
    return obj.uid if obj is not None else None


def _campaign_out(campaign: Campaign) -> CampaignOut:
    stats = queries.campaign_stats(campaign)
    return CampaignOut(
        uid=campaign.uid,
        name=campaign.name,
        channel_kind=campaign.channel_kind,
        corp=campaign.corp.uid,
        persona=_uid(campaign.persona),
        routing=campaign.routing,
        pool=_uid(campaign.pool),
        questionnaire=_uid(campaign.questionnaire),
        reward=_uid(campaign.reward),
        label=campaign.label,
        welcome_text=campaign.welcome_text,
        active=campaign.active,
        codes=stats.codes,
        scans=stats.scans,
        adds=stats.adds,
        conversion=stats.conversion,
        created_at=campaign.created_at,
    )


def landing_url(request: HttpRequest, code: LiveCode) -> str:
    path = reverse("livecodes_public:landing", kwargs={"token": code.token})
    return request.build_absolute_uri(path)


def _code_out(request: HttpRequest, code: LiveCode) -> CodeOut:
    return CodeOut(
        uid=code.uid,
        state=code.state,
        label=code.label,
        status=code.status,
        error=code.error,
        lot=code.batch.lot if code.batch else None,
        serial=code.serial,
        staff_userids=list(code.staff_userids),
        scans=code.scans,
        adds=code.adds,
        conversion=code.conversion,
        landing_url=landing_url(request, code),
        qr_code=code.qr_code,
        created_at=code.created_at,
    )


def _batch_out(batch: InsertBatch) -> BatchOut:
    ready, _quantity = queries.batch_progress(batch)
    return BatchOut(
        uid=batch.uid,
        lot=batch.lot,
        quantity=batch.quantity,
        ready=ready,
        status=batch.status,
        error=batch.error,
        created_at=batch.created_at,
        finished_at=batch.finished_at,
    )


def _invalid(exc: LiveCodeInvalid) -> ApiError:
    return ApiError(422, "invalid_livecode", str(exc), {"errors": exc.errors})


_REFS: dict[str, type[Any]] = {
    "corp": WeComCorp,
    "persona": Persona,
    "pool": GroupPool,
    "questionnaire": Questionnaire,
    "reward": RewardCampaign,
}


def _resolve(values: dict[str, Any]) -> dict[str, Any]:
    """Turn the uids of related objects into this workspace's objects (404 for others')."""
    resolved = dict(values)
    for name, model in _REFS.items():
        if name in resolved:
            uid = resolved[name]
            resolved[name] = access_by_uid(model, str(uid)) if uid is not None else None
    return resolved


@router.get(
    "/livecodes/campaigns",
    response=page_schema(CampaignOut),
    summary="Acquisition campaigns",
    url_name="livecodes_list_campaigns",
)
def list_campaigns(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.campaigns(), page, order_by="-created_at", serialize=_campaign_out)


@router.post(
    "/livecodes/campaigns",
    response={201: CampaignOut},
    summary="Create a campaign",
    url_name="livecodes_create_campaign",
)
def create_campaign(request: HttpRequest, body: CampaignIn) -> tuple[int, CampaignOut]:
    values = _resolve(body.dict())
    try:
        campaign = services.create_campaign(name=values.pop("name"), **values)
    except LiveCodeInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _campaign_out(campaign)


@router.get(
    "/livecodes/campaigns/{uid}",
    response=CampaignOut,
    summary="One campaign with its stats",
    url_name="livecodes_get_campaign",
)
def get_campaign(request: HttpRequest, uid: str) -> CampaignOut:
    return _campaign_out(access_by_uid(Campaign, uid))


@router.patch(
    "/livecodes/campaigns/{uid}",
    response=CampaignOut,
    summary="Change a campaign",
    url_name="livecodes_update_campaign",
)
def update_campaign(request: HttpRequest, uid: str, body: CampaignPatch) -> CampaignOut:
    campaign = access_by_uid(Campaign, uid)
    values = _resolve(body.dict(exclude_unset=True))
    try:
        services.update_campaign(campaign, **values)
    except LiveCodeInvalid as exc:
        raise _invalid(exc) from exc
    return _campaign_out(campaign)


@router.delete(
    "/livecodes/campaigns/{uid}",
    response={204: None},
    summary="Delete a campaign without codes",
    url_name="livecodes_delete_campaign",
)
def delete_campaign(request: HttpRequest, uid: str) -> tuple[int, None]:
    try:
        services.delete_campaign(access_by_uid(Campaign, uid))
    except LiveCodeInvalid as exc:
        raise ApiError(409, "campaign_has_codes", str(exc)) from exc
    return 204, None


@router.get(
    "/livecodes/campaigns/{uid}/codes",
    response=page_schema(CodeOut),
    summary="The campaign's live codes",
    url_name="livecodes_list_codes",
)
def list_codes(request: HttpRequest, uid: str, page: Query[PageParams]) -> dict[str, Any]:
    campaign = access_by_uid(Campaign, uid)
    found = queries.codes(campaign).defer("qr_png")
    return paginate(found, page, order_by="-created_at", serialize=lambda c: _code_out(request, c))


@router.post(
    "/livecodes/campaigns/{uid}/codes",
    response={201: CodeOut},
    summary="Create a live code",
    url_name="livecodes_create_code",
)
def create_code(request: HttpRequest, uid: str, body: CodeIn) -> tuple[int, CodeOut]:
    campaign = access_by_uid(Campaign, uid)
    try:
        code = services.create_code(campaign, label=body.label, state=body.state)
    except LiveCodeInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _code_out(request, code)


@router.get(
    "/livecodes/codes/{uid}",
    response=CodeOut,
    summary="One live code with its stats",
    url_name="livecodes_get_code",
)
def get_code(request: HttpRequest, uid: str) -> CodeOut:
    return _code_out(request, access_by_uid(LiveCode, uid))


@router.get(
    "/livecodes/codes/{uid}/qr.png",
    summary="The code's QR image (PNG)",
    url_name="livecodes_code_qr",
)
def code_qr(request: HttpRequest, uid: str) -> HttpResponse:
    code = access_by_uid(LiveCode, uid)
    if not code.qr_png:
        raise ApiError(404, "not_ready", "The code's contact way is not created yet.")
    return HttpResponse(bytes(code.qr_png), content_type="image/png")


@router.get(
    "/livecodes/campaigns/{uid}/lots",
    response=page_schema(BatchOut),
    summary="Package-insert lots",
    url_name="livecodes_list_batches",
)
def list_batches(request: HttpRequest, uid: str, page: Query[PageParams]) -> dict[str, Any]:
    campaign = access_by_uid(Campaign, uid)
    found = InsertBatch.objects.filter(campaign=campaign)
    return paginate(found, page, order_by="-created_at", serialize=_batch_out)


@router.post(
    "/livecodes/campaigns/{uid}/lots",
    response={201: BatchOut},
    summary="Create a lot",
    url_name="livecodes_create_batch",
)
def create_batch(request: HttpRequest, uid: str, body: BatchIn) -> tuple[int, BatchOut]:
    campaign = access_by_uid(Campaign, uid)
    try:
        batch = services.create_batch(campaign, lot=body.lot, quantity=body.quantity)
    except LiveCodeInvalid as exc:
        raise _invalid(exc) from exc
    return 201, _batch_out(batch)


@router.get(
    "/livecodes/lots/{uid}",
    response=BatchOut,
    summary="One lot and its progress",
    url_name="livecodes_get_batch",
)
def get_batch(request: HttpRequest, uid: str) -> BatchOut:
    return _batch_out(access_by_uid(InsertBatch, uid))


def _ready_codes(batch: InsertBatch) -> list[LiveCode]:
    if batch.status != InsertBatch.Status.READY:
        raise ApiError(409, "not_ready", "The lot's codes are still being created or failed.")
    return list(queries.codes(batch.campaign, batch=batch))


@router.get(
    "/livecodes/lots/{uid}/stickers.pdf",
    summary="The lot's A4 sticker sheet (PDF)",
    url_name="livecodes_batch_pdf",
)
def batch_pdf(request: HttpRequest, uid: str) -> HttpResponse:
    batch = access_by_uid(InsertBatch, uid)
    label = batch.campaign.label or batch.campaign.name
    pdf = stickers.sticker_pdf(_ready_codes(batch), label=label, lot=batch.lot)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stickers-{batch.uid}.pdf"'
    return response


@router.get(
    "/livecodes/lots/{uid}/stickers.zip",
    summary="The lot's stickers as PNGs (ZIP)",
    url_name="livecodes_batch_zip",
)
def batch_zip(request: HttpRequest, uid: str) -> HttpResponse:
    batch = access_by_uid(InsertBatch, uid)
    label = batch.campaign.label or batch.campaign.name
    template = request.build_absolute_uri(
        reverse("livecodes_public:landing", kwargs={"token": "TOKEN"})
    )
    archive = stickers.sticker_zip(_ready_codes(batch), label=label, landing_url=template)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="stickers-{batch.uid}.zip"'
    return response


def _attribution_out(a: Attribution) -> AttributionOut:
    return AttributionOut(
        contact=a.contact.uid,
        code=a.code.uid,
        staff_userid=a.staff_userid,
        at=a.at,
        routed_to=a.routed_to,
        invitation_url=a.invitation_url,
    )


@router.get(
    "/livecodes/campaigns/{uid}/attributions",
    response=page_schema(AttributionOut),
    summary="Customers the campaign brought",
    url_name="livecodes_list_attributions",
)
def list_attributions(request: HttpRequest, uid: str, page: Query[PageParams]) -> dict[str, Any]:
    campaign = access_by_uid(Campaign, uid)
    return paginate(
        queries.attributions(campaign), page, order_by="-at", serialize=_attribution_out
    )
