"""Console pages for channels: list, connect, detail (callback URL, test, pause), events, replay."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.channels import queries, services
from shequn.channels.forms import OfficialAccountForm, PayMerchantForm, WeComCorpForm
from shequn.channels.models import Channel, OfficialAccount, PayMerchant, WeComCorp
from shequn.console.navigation import AREAS_BY_KEY
from shequn.console.views.decorators import workspace_view
from shequn.ingest import queries as ingest_queries
from shequn.ingest import services as ingest_services
from shequn.ingest.models import InboundEvent
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission

FORMS: dict[str, tuple[Any, type[Channel]]] = {
    "oa": (OfficialAccountForm, OfficialAccount),
    "wecom": (WeComCorpForm, WeComCorp),
    "pay": (PayMerchantForm, PayMerchant),
}


def _channel(uid: uuid.UUID) -> Channel:
    channel = queries.channel_by_uid(uid)
    if channel is None:
        raise Http404
    return channel  # type: ignore[no-any-return]


def _can_manage(request: HttpRequest) -> bool:
    return bool(request.membership.allows(Permission.MANAGE_CHANNELS))  # type: ignore[attr-defined]


def callback_url(channel: Channel) -> str:
    return f"{settings.SHEQUN_BASE_URL.rstrip('/')}/cb/{channel.kind}/{channel.callback_key}/"


@workspace_view()
def channel_list(request: HttpRequest, workspace: str) -> HttpResponse:
    context = {
        "area": AREAS_BY_KEY["channels"],
        "channels": queries.all_channels(),
        "lapsing": list(queries.verification_lapsing()),
        "can_manage": _can_manage(request),
    }
    return render(request, "channels/list.html", context)


@workspace_view(permission=Permission.MANAGE_CHANNELS)
def connect(request: HttpRequest, workspace: str, kind: str) -> HttpResponse:
    if kind not in FORMS:
        raise Http404
    form_class, model = FORMS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            channel = services.connect(model, **values)
        except (services.ChannelError, ValidationError) as exc:
            form.add_error(None, str(getattr(exc, "messages", [exc])[0]))
        else:
            messages.success(
                request, _("Channel connected. Paste its callback URL into the platform.")
            )
            return redirect("console:channel_detail", workspace=workspace, uid=channel.uid)
    return render(
        request,
        "channels/connect.html",
        {"form": form, "kind": kind},
        status=400 if form.errors else 200,
    )


@workspace_view()
def channel_detail(request: HttpRequest, workspace: str, uid: uuid.UUID) -> HttpResponse:
    channel = _channel(uid)
    events = ingest_queries.events(channel_kind=channel.kind, channel_id=channel.pk).order_by(
        "-received_at"
    )[:50]
    context = {
        "channel": channel,
        "callback_url": callback_url(channel),
        "events": events,
        "counts": ingest_queries.event_counts(channel.kind, channel.pk),
        "can_manage": _can_manage(request),
    }
    return render(request, "channels/detail.html", context)


@require_POST
@workspace_view(permission=Permission.MANAGE_CHANNELS)
def test(request: HttpRequest, workspace: str, uid: uuid.UUID) -> HttpResponse:
    result = services.test_connection(_channel(uid))
    return render(request, "channels/test_result.html", {"result": result})


@require_POST
@workspace_view(permission=Permission.MANAGE_CHANNELS)
def pause(request: HttpRequest, workspace: str, uid: uuid.UUID) -> HttpResponse:
    channel = _channel(uid)
    paused = request.POST.get("paused") == "1"
    released = services.set_ingest_paused(channel, paused)
    if paused:
        messages.success(request, _("Ingest paused: new events are kept and processed on resume."))
    else:
        messages.success(
            request, _("Ingest resumed; %(count)s parked events queued.") % {"count": released}
        )
    return redirect("console:channel_detail", workspace=workspace, uid=uid)


@require_POST
@workspace_view(permission=Permission.MANAGE_CHANNELS)
def replay(
    request: HttpRequest, workspace: str, uid: uuid.UUID, event_uid: uuid.UUID
) -> HttpResponse:
    channel = _channel(uid)
    event = access_by_uid(InboundEvent, event_uid, channel_kind=channel.kind, channel_id=channel.pk)
    ingest_services.replay_event(event)
    messages.success(request, _("The event was queued to be processed again."))
    return redirect("console:channel_detail", workspace=workspace, uid=uid)
