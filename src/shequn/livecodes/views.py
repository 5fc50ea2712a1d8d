"""Console → Live codes: campaigns with scan and add stats, their codes and package-insert lots
(progress, PDF sticker sheet, ZIP of PNGs), and the customers each campaign brought."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.console.views.decorators import workspace_view
from shequn.livecodes import queries, services, stickers
from shequn.livecodes.forms import BatchForm, CampaignForm, CodeForm
from shequn.livecodes.models import Campaign, InsertBatch, LiveCode
from shequn.livecodes.services import LiveCodeInvalid
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.allows(Permission.OPERATE))  # type: ignore[attr-defined]


@workspace_view()
def campaign_list(request: HttpRequest, workspace: str) -> HttpResponse:
    rows = [(c, queries.campaign_stats(c)) for c in queries.campaigns()]
    return render(request, "livecodes/list.html", {"rows": rows, "can_edit": _can_edit(request)})


def _form_page(
    request: HttpRequest, form: CampaignForm, campaign: Campaign | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "livecodes/form.html", {"form": form, "campaign": campaign}, status=status
    )


def _save(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    form = CampaignForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, campaign, status=422)
    values = dict(form.cleaned_data)
    try:
        if campaign is None:
            campaign = services.create_campaign(name=values.pop("name"), **values)
        else:
            services.update_campaign(campaign, **values)
    except LiveCodeInvalid as exc:
        for error in exc.errors:
            form.add_error(None, error)
        return _form_page(request, form, campaign, status=422)
    flash.success(request, _("Campaign saved."))
    return redirect(
        "console:livecodes_campaign", workspace=workspace_slug(request), uid=campaign.uid
    )


def workspace_slug(request: HttpRequest) -> str:
    return str(request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(permission=Permission.OPERATE)
def campaign_new(request: HttpRequest, workspace: str) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return _form_page(request, CampaignForm(), None)


@workspace_view(permission=Permission.OPERATE)
def campaign_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    campaign = access_by_uid(Campaign, uid)
    if request.method == "POST":
        return _save(request, campaign)
    return _form_page(request, CampaignForm(initial=CampaignForm.initial_for(campaign)), campaign)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def campaign_delete(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    campaign = access_by_uid(Campaign, uid)
    try:
        services.delete_campaign(campaign)
    except LiveCodeInvalid as exc:
        flash.error(request, str(exc))
        return redirect("console:livecodes_campaign", workspace=workspace, uid=campaign.uid)
    flash.success(request, _("Campaign deleted."))
    return redirect("console:livecodes", workspace=workspace)


def _landing(request: HttpRequest, code: LiveCode) -> str:
    return request.build_absolute_uri(
        reverse("livecodes_public:landing", kwargs={"token": code.token})
    )


def _detail(
    request: HttpRequest,
    campaign: Campaign,
    *,
    code_form: CodeForm | None = None,
    batch_form: BatchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    codes = [(code, _landing(request, code)) for code in queries.single_codes(campaign)]
    context: dict[str, Any] = {
        "campaign": campaign,
        "stats": queries.campaign_stats(campaign),
        "codes": codes,
        "batches": list(queries.batches(campaign)),
        "attributions": list(queries.attributions(campaign)[:20]),
        "code_form": code_form or CodeForm(),
        "batch_form": batch_form or BatchForm(),
        "can_edit": _can_edit(request),
        "failed": campaign.codes.filter(status=LiveCode.Status.FAILED).count(),
    }
    return render(request, "livecodes/detail.html", context, status=status)


@workspace_view()
def campaign_detail(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    return _detail(request, access_by_uid(Campaign, uid))


@require_POST
@workspace_view(permission=Permission.OPERATE)
def code_create(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    campaign = access_by_uid(Campaign, uid)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.create_code(campaign, **form.cleaned_data)
        except LiveCodeInvalid as exc:
            for error in exc.errors:
                form.add_error("state", error)
    if form.errors:
        return _detail(request, campaign, code_form=form, status=422)
    flash.success(request, _("Live code added; its QR code is being created."))
    return redirect("console:livecodes_campaign", workspace=workspace, uid=campaign.uid)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def batch_create(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    campaign = access_by_uid(Campaign, uid)
    form = BatchForm(request.POST)
    if form.is_valid():
        try:
            services.create_batch(campaign, **form.cleaned_data)
        except LiveCodeInvalid as exc:
            for error in exc.errors:
                form.add_error(None, error)
    if form.errors:
        return _detail(request, campaign, batch_form=form, status=422)
    flash.success(request, _("Lot added; its codes are being created."))
    return redirect("console:livecodes_campaign", workspace=workspace, uid=campaign.uid)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def retry(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    campaign = access_by_uid(Campaign, uid)
    count = services.retry_failed(campaign)
    flash.success(request, _("%(count)d codes queued again.") % {"count": count})
    return redirect("console:livecodes_campaign", workspace=workspace, uid=campaign.uid)


@workspace_view()
def code_qr(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    code = access_by_uid(LiveCode, uid)
    if not code.qr_png:
        raise Http404
    response = HttpResponse(bytes(code.qr_png), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{code.state}.png"'
    return response


@workspace_view()
def batch_progress(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    """htmx: the lot's row, polled while its codes are being created."""
    batch = queries.batches(access_by_uid(InsertBatch, uid).campaign).get(uid=uid)
    return render(request, "livecodes/_batch_row.html", {"batch": batch})


def _ready(uid: str) -> tuple[InsertBatch, list[LiveCode], str]:
    batch = access_by_uid(InsertBatch, uid)
    if batch.status != InsertBatch.Status.READY:
        raise Http404
    label = batch.campaign.label or batch.campaign.name
    return batch, list(queries.codes(batch.campaign, batch=batch)), label


@workspace_view()
def batch_pdf(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    batch, codes, label = _ready(uid)
    response = HttpResponse(
        stickers.sticker_pdf(codes, label=label, lot=batch.lot), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="stickers-{batch.uid}.pdf"'
    return response


@workspace_view()
def batch_zip(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    batch, codes, label = _ready(uid)
    template = request.build_absolute_uri(
        reverse("livecodes_public:landing", kwargs={"token": "TOKEN"})
    )
    response = HttpResponse(
        stickers.sticker_zip(codes, label=label, landing_url=template),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="stickers-{batch.uid}.zip"'
    return response
