"""The product areas that have no data yet: each shows what will appear there."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from shequn.console.navigation import AREAS_BY_KEY
from shequn.console.views.decorators import View, workspace_view

EMPTY_STATES = {
    "inbox": (
        _("No conversations yet"),
        _(
            "Conversations with your followers and customers appear here once a channel is "
            "connected: messages to your official account and WeCom chats, in one queue your "
            "operators can answer."
        ),
    ),
    "contacts": (
        _("No contacts yet"),
        _(
            "Everyone who follows your official account or adds your WeCom staff becomes a "
            "contact here, with tags, attributes and consent, merged into one profile per person."
        ),
    ),
    "content": (
        _("No content planned yet"),
        _(
            "Plan articles and mass sends on a calendar that knows each account's send quota, "
            "then draft, approve and publish them from here."
        ),
    ),
    "analytics": (
        _("No data to chart yet"),
        _(
            "Follower quality, funnels and KPIs against the maturity timeline are charted here "
            "as soon as the first events arrive."
        ),
    ),
    "channels": (
        _("No channels connected"),
        _(
            "Connect an official account, a WeCom corporation or a WeChat Pay merchant to start "
            "receiving messages and events."
        ),
    ),
}


def _area_view(key: str) -> View:
    area = AREAS_BY_KEY[key]
    title, text = EMPTY_STATES[key]

    def view(request: HttpRequest, workspace: str) -> HttpResponse:
        context = {"area": area, "empty_title": title, "empty_text": text}
        return render(request, "console/area.html", context)

    view.__name__ = key
    return workspace_view(permission=area.permission)(view)


inbox = _area_view("inbox")
content = _area_view("content")
analytics = _area_view("analytics")
channels = _area_view("channels")
