"""When a payout may be sent: quiet hours in the workspace's time zone and its local days.

Pure functions (no database): quiet hours are a local time range, possibly across midnight
(22:00-08:00); equal start and end, or a missing bound, means no quiet hours.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def first_send_time(at: datetime, tz: ZoneInfo, start: time | None, end: time | None) -> datetime:
    """`at`, or the end of the quiet hours `at` falls in (as an aware UTC-comparable datetime)."""
    local = at.astimezone(tz)
    if end is None or not in_quiet_hours(local.time(), start, end):
        return at
    candidate = datetime.combine(local.date(), end, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return candidate


def day_bounds(at: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the local day `at` falls in."""
    day = at.astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def next_day_start(at: datetime, tz: ZoneInfo) -> datetime:
    return day_bounds(at, tz)[1]
