"""Payouts on the workspace overview (count and amount paid), on the day of the group join that
earned them: event time, like the other series (see console/overview.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from shequn.console.overview import Number, daily_counts, register_series
from shequn.contacts.models import GroupMembership
from shequn.rewards.models import Payout


def _paid() -> QuerySet[Any]:
    joined = GroupMembership.objects.filter(
        group=OuterRef("group"), member_id=OuterRef("member_id")
    ).values("joined_at")[:1]
    paid: QuerySet[Any] = Payout.objects.filter(state=Payout.State.PAID)
    annotated: QuerySet[Any] = paid.annotate(earned_at=Subquery(joined))
    return annotated


def payouts(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[dt.date, Number]:
    return daily_counts(_paid(), "earned_at", start, end, tz)


def payout_amount(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dict[dt.date, Number]:
    return daily_counts(_paid(), "earned_at", start, end, tz, total="amount_fen")


register_series("payouts", _("Red packets paid"), payouts, order=40)
register_series("payout_amount", _("Paid out"), payout_amount, money=True, order=50)
