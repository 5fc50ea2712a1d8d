"""Window arithmetic: 5 messages within 48 h after a message, 3 within 1 min after an event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from shequn.inbox.window import WindowClosed, Windows, WindowUsedUp

T0 = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def test_message_window_allows_five_within_48_hours() -> None:
    w = Windows().after_message(T0)
    now = T0 + timedelta(hours=47, minutes=59)
    for left in (5, 4, 3, 2, 1):
        assert w.messages_left(now) == left
        w = w.consume(now)
    with pytest.raises(WindowUsedUp):
        w.consume(now)
    with pytest.raises(WindowClosed):
        Windows().after_message(T0).consume(T0 + timedelta(hours=48))


def test_event_window_is_used_first_because_it_closes_first() -> None:
    w = Windows().after_message(T0).after_event(T0)
    now = T0 + timedelta(seconds=30)
    assert w.messages_left(now) == 8
    w = w.consume(now)
    assert (w.event.left, w.message.left) == (2, 5)
    later = T0 + timedelta(minutes=2)
    assert w.messages_left(later) == 5
    assert w.open_until(later) == T0 + timedelta(hours=48)


def test_a_new_message_resets_the_window() -> None:
    w = Windows().after_message(T0)
    for _ in range(5):
        w = w.consume(T0)
    w = w.after_message(T0 + timedelta(hours=1))
    assert w.messages_left(T0 + timedelta(hours=1)) == 5


def test_window_against_the_real_clock() -> None:
    with time_machine.travel(T0, tick=False):
        w = Windows().after_message(datetime.now(UTC))
    with time_machine.travel(T0 + timedelta(hours=49), tick=False):
        assert w.open_until(datetime.now(UTC)) is None
        with pytest.raises(WindowClosed):
            w.consume(datetime.now(UTC))
