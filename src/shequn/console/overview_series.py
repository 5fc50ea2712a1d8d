"""The overview's built-in series, read from the contacts timeline and the inbox (event time)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from shequn.console.overview import Number, daily_counts, latest_of, register_series
from shequn.contacts.models import ContactEvent, GroupMembership
from shequn.inbox.models import Message


def followers_net(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[dt.date, Number]:
    events = ContactEvent.objects.all()
    follows = daily_counts(
        events.filter(kind="followed"), "occurred_at", start, end, tz, distinct="contact"
    )
    unfollows = daily_counts(
        events.filter(kind="unfollowed"), "occurred_at", start, end, tz, distinct="contact"
    )
    return {day: follows.get(day, 0) - unfollows.get(day, 0) for day in {*follows, *unfollows}}


def wecom_adds(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[dt.date, Number]:
    added = ContactEvent.objects.filter(kind="wecom_added")
    return daily_counts(added, "occurred_at", start, end, tz)


def group_joins(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[dt.date, Number]:
    customers = GroupMembership.objects.exclude(member_type=1)  # 1: the brand's own staff
    return daily_counts(customers, "joined_at", start, end, tz)


def messages(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[dt.date, Number]:
    inbound = Message.objects.filter(direction=Message.Direction.INBOUND)
    return daily_counts(inbound, "created_at", start, end, tz)


def latest_contact_event() -> dt.datetime | None:
    return latest_of(ContactEvent.objects.all(), "occurred_at")


register_series(
    "followers", _("Followers (net)"), followers_net, order=10, latest=latest_contact_event
)
register_series("wecom_adds", _("WeCom adds"), wecom_adds, order=20)
register_series("group_joins", _("Group joins"), group_joins, order=30)
register_series("messages", _("Messages from customers"), messages, order=60)
