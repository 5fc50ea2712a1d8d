"""Per-token request budget, counted in the shared cache (Redis in production)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

DEFAULT_RATE = "1200/m"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[:1]]


class TokenRateThrottle(BaseThrottle):
    """Fixed window per token; read from settings on each call so tests and admins can tune it."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        uid = getattr(token, "uid", None)
        if uid is None:
            return True
        limit, period = parse_rate(getattr(settings, "SHEQUN_API_RATE", DEFAULT_RATE))
        now = time.time()
        window = int(now // period)
        key = f"shequn:api:rate:{uid}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 1)
            used = 1
        if used > limit:
            self._wait = (window + 1) * period - now
            return False
        return True

    def wait(self) -> float | None:
        return self._wait
