"""The sandbox clock: real time, faster than real time, or frozen and moved by hand.

Every expiry, quota day, 48-hour window and delayed callback reads this clock, so a test can jump
two hours ahead and watch tokens expire without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


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
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
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

    @property
    def speed(self) -> float:
        return self._speed

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
        return {"now": self.now(), "speed": self._speed, "wall": self._wall()}

    def restore(self, snap: dict[str, Any]) -> None:
        """Resume from a snapshot taken before a restart; time kept running while we were down."""
        elapsed = max(0.0, self._wall() - float(snap["wall"]))
        speed = float(snap["speed"])
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
