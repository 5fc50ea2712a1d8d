"""The workspace overview's series: a small registry each app adds its daily numbers to.

    from shequn.console.overview import daily_counts, register_series

    register_series(
        "payouts", _("Payouts"),
        lambda start, end, tz: daily_counts(Payout.objects.filter(...), "paid_at", start, end, tz),
        order=50,
    )

A series function gets the half-open range [start, end) as aware datetimes and the workspace's
time zone, runs inside the workspace's tenant scope, and answers {local date: value}. Days are
*event time* (a follow's CreateTime, a message's time), so history that arrives late lands on the
day it happened. Apps register from an `overview.py` module of their own, imported on first use
(like Django's admin autodiscovery); console's built-in series live in `overview_series.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

Number = int | Decimal
SeriesFunc = Callable[[dt.datetime, dt.datetime, dt.tzinfo], dict[dt.date, Number]]
LatestFunc = Callable[[], dt.datetime | None]

DAYS = 30  # the chart
PERIOD = 7  # the headline number and its change


@dataclass(frozen=True)
class Series:
    key: str
    label: Any  # a lazily translated string
    func: SeriesFunc
    money: bool = False  # fen, shown as yuan
    order: int = 100
    latest: LatestFunc | None = None


_REGISTRY: dict[str, Series] = {}
_discovered = False


def register_series(
    key: str,
    label: Any,
    func: SeriesFunc,
    *,
    money: bool = False,
    order: int = 100,
    latest: LatestFunc | None = None,
) -> None:
    """Add (or replace) a series. `latest` answers the newest event time it knows (the chart ends
    on that day when it lies ahead of today, as in the demo's simulated weeks)."""
    _REGISTRY[key] = Series(key, label, func, money, order, latest)


def registered() -> list[Series]:
    global _discovered
    if not _discovered:
        _discovered = True
        import shequn.console.overview_series  # noqa: F401 - registers the built-in series

        autodiscover_modules("overview")
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))


def daily_counts(
    queryset: QuerySet[Any],
    field: str,
    start: dt.datetime,
    end: dt.datetime,
    tz: dt.tzinfo,
    *,
    total: str | None = None,
    distinct: str | None = None,
) -> dict[dt.date, Number]:
    """Rows per local day of `field` in [start, end), the sum of `total` per day, or the number
    of different `distinct` values per day (one follow recorded by a callback and again by a
    follower sync counts once)."""
    rows = (
        queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(day=TruncDate(field, tzinfo=tz))
        .values("day")
        .annotate(
            n=Sum(total) if total else Count(distinct, distinct=True) if distinct else Count("pk")
        )
        .order_by()
    )
    return {row["day"]: row["n"] or 0 for row in rows}


def latest_of(queryset: QuerySet[Any], field: str) -> dt.datetime | None:
    value = queryset.aggregate(latest=Max(field))["latest"]
    return value if isinstance(value, dt.datetime) else None


# building the overview ----------------------------------------------------------------------


def display(value: Number, *, money: bool) -> str:
    if money:
        return f"¥{Decimal(value) / 100:,.2f}"
    return f"{value:,}"


@dataclass(frozen=True)
class Bar:
    day: dt.date
    value: Number
    shown: str
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    key: str
    label: Any
    money: bool
    days: list[dt.date]
    values: list[Number]
    bars: list[Bar]
    current: Number  # the last PERIOD days
    previous: Number  # the PERIOD days before
    change: float | None  # percent; None when the previous period is empty
    peak: Number
    shown: str  # the headline number, formatted
    change_shown: str  # "+12.5%", "−3.0%"
    total: Number
    total_shown: str
    baseline: float  # y of zero in the SVG
    width: int
    height: int
    bar_width: float


WIDTH, HEIGHT, PAD = 300, 72, 2


def _chart(series: Series, days: list[dt.date], values: dict[dt.date, Number]) -> Chart:
    row: list[Number] = [values.get(day, 0) for day in days]
    top = max([0, *row])
    bottom = min([0, *row])
    span = (top - bottom) or 1
    usable = HEIGHT - 2 * PAD
    baseline = PAD + usable * float(top) / float(span)
    step = WIDTH / len(days)
    bars = []
    for i, (day, value) in enumerate(zip(days, row, strict=True)):
        size = usable * abs(float(value)) / float(span)
        y = baseline - size if value >= 0 else baseline
        shown = display(value, money=series.money)
        bars.append(Bar(day, value, shown, round(i * step + 1, 2), round(y, 2), round(size, 2)))
    current: Number = sum(row[-PERIOD:], start=Decimal(0) if series.money else 0)
    previous: Number = sum(row[-2 * PERIOD : -PERIOD], start=Decimal(0) if series.money else 0)
    change = (
        None if not previous else round(100.0 * float(current - previous) / abs(float(previous)), 1)
    )
    return Chart(
        key=series.key,
        label=series.label,
        money=series.money,
        days=days,
        values=row,
        bars=bars,
        current=current,
        previous=previous,
        change=change,
        peak=top,
        shown=display(current, money=series.money),
        change_shown="" if change is None else f"{'+' if change >= 0 else '−'}{abs(change):.1f}%",
        total=sum(row, start=Decimal(0) if series.money else 0),
        total_shown=display(sum(row, start=Decimal(0) if series.money else 0), money=series.money),
        baseline=round(baseline, 2),
        width=WIDTH,
        height=HEIGHT,
        bar_width=round(max(step - 2, 1), 2),
    )


def last_day(series: list[Series], tz: dt.tzinfo, now: dt.datetime | None = None) -> dt.date:
    """Today, or the newest event's day when events lie ahead (a simulated clock ran fast)."""
    newest = now or timezone.now()
    for item in series:
        if item.latest is not None:
            latest = item.latest()
            if latest is not None and latest > newest:
                newest = latest
    return newest.astimezone(tz).date()


def build_overview(
    time_zone: str, *, days: int = DAYS, now: dt.datetime | None = None
) -> list[Chart]:
    """Every registered series over the last `days` days (call inside the tenant scope)."""
    tz = ZoneInfo(time_zone)
    series = registered()
    end_day = last_day(series, tz, now)
    span = [end_day - dt.timedelta(days=days - 1 - i) for i in range(days)]
    start = dt.datetime.combine(span[0], dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return [_chart(item, span, item.func(start, end, tz)) for item in series]
