"""Arithmetic of the customer-service windows (WeChat's limits on 1:1 answers).

A customer's message opens a window of 5 messages within 48 hours; a follow, a QR scan or a
menu click (click, scancode_push, scancode_waitmsg) opens one of 3 messages within 1 minute.
A new interaction replaces the window of its kind. A send uses the live window that closes
first and still has messages left. Outside every window WeChat answers 45015; with the windows
used up, 45047. Reference: wechat-official-account.md §6.11.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MESSAGE_WINDOW = (timedelta(hours=48), 5)
EVENT_WINDOW = (timedelta(minutes=1), 3)
EVENT_OPENERS = frozenset({"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"})


class WindowClosed(Exception):
    """No window is open: the customer has not written for 48 hours (or unfollowed)."""


class WindowUsedUp(Exception):
    """A window is open but its messages are used up."""


@dataclass(frozen=True)
class Window:
    until: datetime | None
    left: int

    def live(self, now: datetime) -> bool:
        return self.until is not None and self.until > now


@dataclass(frozen=True)
class Windows:
    message: Window = Window(None, 0)
    event: Window = Window(None, 0)

    def after_message(self, at: datetime) -> Windows:
        return replace(self, message=Window(at + MESSAGE_WINDOW[0], MESSAGE_WINDOW[1]))

    def after_event(self, at: datetime) -> Windows:
        return replace(self, event=Window(at + EVENT_WINDOW[0], EVENT_WINDOW[1]))

    def closed(self) -> Windows:
        return Windows()

    def messages_left(self, now: datetime) -> int:
        return sum(w.left for w in (self.message, self.event) if w.live(now))

    def open_until(self, now: datetime) -> datetime | None:
        """When the last usable window closes (None: nothing can be sent now)."""
        usable = [w.until for w in (self.message, self.event) if w.live(now) and w.left > 0]
        return max(usable) if usable else None  # type: ignore[type-var]

    def consume(self, now: datetime) -> Windows:
        """The windows after one send; WindowClosed / WindowUsedUp when WeChat would refuse."""
        live = [name for name in ("message", "event") if getattr(self, name).live(now)]
        if not live:
            raise WindowClosed
        usable = sorted(
            (n for n in live if getattr(self, n).left > 0), key=lambda n: getattr(self, n).until
        )
        if not usable:
            raise WindowUsedUp
        name = usable[0]
        current: Window = getattr(self, name)
        return replace(self, **{name: Window(current.until, current.left - 1)})
