"""The overview's charts: followers, adds, joins and messages by the day they happened, headline
numbers against the previous week, an htmx partial for polling, and tenant B sees none of it."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from shequn.console.overview import build_overview
from shequn.contacts import services as contact_services
from shequn.contacts.models import Contact


def _events(world, kind: str, days_ago: list[int]) -> None:
    with world.a.scope():
        for n, ago in enumerate(days_ago):
            contact = Contact.objects.create()
            contact_services.add_timeline_event(
                contact,
                kind,
                channel_ref="oa:test",
                occurred_at=timezone.now() - dt.timedelta(days=ago, minutes=5),
                source_key=f"test:{kind}:{n}",
            )


def _value(html: str, series: str) -> str:
    block = html.split(f'data-series="{series}"', 1)[1]
    found = re.search(r'class="stat-value ov-value" data-value="([^"]+)"', block)
    assert found is not None
    return found.group(1)


def test_followers_per_event_day_and_change_vs_previous_week(world, client_for) -> None:
    _events(world, "followed", [0, 0, 1, 3, 8, 9, 20])
    _events(world, "unfollowed", [2])
    _events(world, "wecom_added", [0])
    with world.a.scope():
        charts = {c.key: c for c in build_overview(world.a.workspace.time_zone)}
    followers = charts["followers"]
    assert len(followers.values) == 30
    assert followers.values[-1] == 2  # two today
    assert followers.values[-3] == -1  # an unfollow two days ago
    assert followers.current == 3  # 4 follows - 1 unfollow in the last 7 days
    assert followers.previous == 2
    assert followers.change_shown == "+50.0%"
    assert charts["wecom_adds"].current == 1

    response = client_for(world.a.viewer).get("/w/sakura/overview/")
    html = response.content.decode()
    assert response.status_code == 200
    assert _value(html, "followers") == "3"
    assert "<svg" in html  # inline charts
    assert "<title" in html
    assert "Show as a table" in html  # the accessible fallback
    assert 'hx-trigger="every 5s' in html
    assert "Getting started" not in html  # there is data already


def test_htmx_poll_gets_only_the_charts(world, client_for) -> None:
    _events(world, "followed", [0])
    response = client_for(world.a.operator).get("/w/sakura/overview/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="overview-charts"')
    assert "Pending invitations" not in html
    assert _value(html, "followers") == "1"


def test_other_tenant_sees_empty_charts_and_getting_started(world, client_for) -> None:
    _events(world, "followed", [0, 1])
    response = client_for(world.b.owner).get(f"/w/{world.b.workspace.slug}/overview/")
    html = response.content.decode()
    assert _value(html, "followers") == "0"
    assert "Getting started" in html
    assert client_for(world.b.owner).get("/w/sakura/overview/").status_code == 404


def test_chart_ends_on_the_newest_event_when_it_lies_ahead(world) -> None:
    _events(world, "followed", [-3])  # a simulated clock ran three days ahead
    with world.a.scope():
        [followers, *_] = build_overview(world.a.workspace.time_zone)
    assert followers.values[-1] == 1
    assert followers.days[-1] > timezone.localdate()


def test_rewards_adds_its_payout_series(world) -> None:
    with world.a.scope():
        charts = {c.key: c for c in build_overview(world.a.workspace.time_zone)}
    assert list(charts) == [
        "followers",
        "wecom_adds",
        "group_joins",
        "payouts",
        "payout_amount",
        "messages",
    ]
    assert charts["payout_amount"].shown == "¥0.00"


def test_a_follow_seen_by_a_callback_and_by_a_follower_sync_counts_once(world) -> None:
    with world.a.scope():
        contact = Contact.objects.create()
        for source in ("inbox:evt-1", "sync:oa:o1"):
            contact_services.add_timeline_event(
                contact,
                "followed",
                channel_ref="oa:test",
                occurred_at=timezone.now() - dt.timedelta(minutes=5),
                source_key=source,
            )
        [followers, *_] = build_overview(world.a.workspace.time_zone)
    assert followers.values[-1] == 1
