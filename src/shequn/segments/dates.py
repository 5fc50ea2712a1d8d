"""Calendar arithmetic for relative dates (no Django: the benchmark uses it too)."""

from __future__ import annotations

from datetime import date, timedelta


def months_before(today: date, months: int) -> date:
    """The same day `months` earlier (clamped to the month's end), as contacts count baby ages."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = today.day
    while True:
        try:
            return date(year, month + 1, day)
        except ValueError:
            day -= 1


def months_ago_bounds(today: date, low: int, high: int) -> tuple[date, date]:
    """(earliest, latest) dates that are between `low` and `high` whole months before `today`.

    Age >= low  <=>  on or before today minus `low` months; age <= high  <=>  after today minus
    (`high` + 1) months.
    """
    latest = months_before(today, low)
    earliest = months_before(today, high + 1) + timedelta(days=1)
    return earliest, latest
