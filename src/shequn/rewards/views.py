"""Console → Rewards: campaigns (budget used, today's spend vs the daily cap), the ledger with
filters, and one payout's history."""

from __future__ import annotations

from datetime import date

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.console.views.decorators import workspace_view
from shequn.rewards import queries, services
from shequn.rewards.forms import CampaignForm
from shequn.rewards.models import Payout, RewardCampaign
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission

PAGE_SIZE = 50


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.allows(Permission.OPERATE))  # type: ignore[attr-defined]


@workspace_view()
def index(request: HttpRequest, workspace: str) -> HttpResponse:
    rows = [(c, queries.totals(c)) for c in queries.campaigns()]
    context = {"rows": rows, "can_edit": _can_edit(request)}
    return render(request, "rewards/campaigns.html", context)


def _form_page(
    request: HttpRequest, form: CampaignForm, campaign: RewardCampaign | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                campaign = services.create_campaign(**form.values())
            else:
                services.update_campaign(campaign, **form.values())
        except services.CampaignInvalid as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            flash.success(request, _("Campaign saved."))
            return redirect(
                "console:rewards_campaign",
                workspace=request.workspace.slug,  # type: ignore[attr-defined]
                uid=campaign.uid,
            )
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "campaign": campaign}
    return render(request, "rewards/campaign_form.html", context, status=status)


@workspace_view(permission=Permission.OPERATE)
def campaign_new(request: HttpRequest, workspace: str) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    return _form_page(request, form, None)


@workspace_view(permission=Permission.OPERATE)
def campaign_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    campaign = access_by_uid(RewardCampaign, uid)
    form = CampaignForm(request.POST or None, instance=campaign)
    return _form_page(request, form, campaign)


@workspace_view()
def campaign_detail(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    campaign = access_by_uid(RewardCampaign, uid)
    context = {
        "campaign": campaign,
        "totals": queries.totals(campaign),
        "days": list(reversed(queries.daily_totals(campaign, days=14))),
        "recent": list(queries.payouts(campaign=campaign)[:20]),
        "can_edit": _can_edit(request),
    }
    return render(request, "rewards/campaign.html", context)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def campaign_pause(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    services.pause_campaign(access_by_uid(RewardCampaign, uid))
    flash.success(request, _("Campaign paused: nothing more is sent until you resume it."))
    return redirect("console:rewards_campaign", workspace=workspace, uid=uid)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def campaign_resume(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    owed = services.resume_campaign(access_by_uid(RewardCampaign, uid))
    flash.success(
        request, _("Campaign resumed; %(count)s owed payouts are being sent.") % {"count": owed}
    )
    return redirect("console:rewards_campaign", workspace=workspace, uid=uid)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@workspace_view()
def ledger(request: HttpRequest, workspace: str) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in Payout.State.values:
        state = ""
    campaign_uid = request.GET.get("campaign", "")
    campaign = (
        queries.campaigns().filter(uid=campaign_uid).first() if _is_uuid(campaign_uid) else None
    )
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    rows = queries.payouts(state=state, campaign=campaign, since=since, until=until)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "states": Payout.State.choices,
        "campaigns": list(queries.campaigns()),
        "filters": {
            "state": state,
            "campaign": str(campaign.uid) if campaign else "",
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        },
    }
    return render(request, "rewards/ledger.html", context)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@workspace_view()
def payout_detail(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    payout = access_by_uid(Payout, uid)
    context = {"payout": payout, "history": list(queries.history(payout))}
    return render(request, "rewards/payout.html", context)
