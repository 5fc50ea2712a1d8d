"""The sandbox clock: real time, faster than real time, or frozen and moved by hand.

The sandbox keeps three kinds of time:

* *business time* (`now`): CreateTime of events, follow and join times, quota days, 48-hour
  windows, delayed callbacks and the simulated population's pace. Always the virtual clock, so a
  test can jump two days ahead and the demo can live through weeks in minutes.
* *protocol deadlines* (`deadline_now`): lifetimes the product must meet in real seconds: access
  tokens (7200 s), WeCom welcome codes (20 s), OAuth codes, temporary media, unconfirmed transfer
  bills. `deadlines="virtual"` (the default) measures them on the virtual clock, so a test can
  watch a token expire by moving a frozen clock; `deadlines="wall"` measures them on the wall
  clock, so a clock running an hour a second does not expire a token every two seconds.
* *transport stamps* (`wall_now`): the `timestamp` of a callback envelope, `Wechatpay-Timestamp`
  on Pay answers and notifications, the ±5 minute window of a Pay request's Authorization. Always
  the wall clock: the receiver checks them against its own clock, whatever the sandbox pretends
  the date is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Literal

DeadlineMode = Literal["virtual", "wall"]
DEADLINE_MODES: tuple[DeadlineMode, ...] = ("virtual", "wall")


def deadline_mode(value: object) -> DeadlineMode:
    if value not in DEADLINE_MODES:
        raise ValueError(f"deadlines must be one of {', '.join(DEADLINE_MODES)}")
    return value  # type: ignore[return-value]


class Clock:
    """Virtual Unix time = anchor + (wall - wall_anchor) * speed.

    speed 1.0 follows the wall clock, 60.0 runs an hour a minute, 0.0 freezes the clock so only
    `advance` and `set_time` move it.
    """

    def __init__(
        self,
        *,
        start: float | None = None,
        speed: float = 1.0,
        wall: Callable[[], float] = time.time,
        deadlines: DeadlineMode = "virtual",
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._deadlines = deadline_mode(deadlines)
        self._wall = wall
        self._lock = threading.Lock()
        self._wall_anchor = wall()
        self._virtual_anchor = self._wall_anchor if start is None else float(start)
        self._speed = float(speed)
        self.on_change: Callable[[Clock], None] | None = None

    @classmethod
    def frozen(cls, start: float = 1_750_000_000.0) -> Clock:
        return cls(start=start, speed=0.0)

    def now(self) -> float:
        with self._lock:
            return self._virtual_anchor + (self._wall() - self._wall_anchor) * self._speed

    def now_int(self) -> int:
        return int(self.now())

    def wall_now(self) -> float:
        """Transport stamps: the real time, whatever the virtual clock says."""
        return self._wall()

    def deadline_now(self) -> float:
        """Protocol deadlines: the virtual clock or the wall clock, as `deadlines` says."""
        return self._wall() if self._deadlines == "wall" else self.now()

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def deadlines(self) -> DeadlineMode:
        return self._deadlines

    def set_deadlines(self, mode: str) -> None:
        """Switch how protocol deadlines are measured.

        Lifetimes already issued keep the expiry they were stamped with on the old clock; switch
        before the product fetches its first token (the demo does it right after start-up).
        """
        self._deadlines = deadline_mode(mode)
        if self.on_change is not None:
            self.on_change(self)

    def _reanchor(self, virtual: float, speed: float) -> None:
        with self._lock:
            self._wall_anchor = self._wall()
            self._virtual_anchor = virtual
            self._speed = speed
        if self.on_change is not None:
            self.on_change(self)

    def set_speed(self, speed: float) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._reanchor(self.now(), float(speed))

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._reanchor(self.now() + seconds, self._speed)
        return self.now()

    def set_time(self, timestamp: float) -> None:
        self._reanchor(float(timestamp), self._speed)

    def snapshot(self) -> dict[str, Any]:
        return {
            "now": self.now(),
            "speed": self._speed,
            "wall": self._wall(),
            "deadlines": self._deadlines,
        }

    def restore(self, snap: dict[str, Any]) -> None:
        """Resume from a snapshot taken before a restart; time kept running while we were down."""
        elapsed = max(0.0, self._wall() - float(snap["wall"]))
        speed = float(snap["speed"])
        self._deadlines = deadline_mode(snap.get("deadlines", "virtual"))
        with self._lock:
            self._wall_anchor = self._wall()
            self._virtual_anchor = float(snap["now"]) + elapsed * speed
            self._speed = speed


SHANGHAI_OFFSET = 8 * 3600


def shanghai_day(timestamp: float) -> str:
    """Quota days roll over at midnight Beijing time, as on WeChat."""
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp + SHANGHAI_OFFSET))


def shanghai_month(timestamp: float) -> str:
    return time.strftime("%Y-%m", time.gmtime(timestamp + SHANGHAI_OFFSET))
