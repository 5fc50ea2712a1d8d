"""Run the async Pay core from synchronous code (Django views, management commands).

One private event loop per facade, on its own daemon thread, so the httpx connection pool stays
bound to a single loop and callers never need an event loop of their own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    """An event loop on a dedicated thread; `run()` blocks the caller until the coroutine ends."""

    def __init__(self, name: str = "shequn-wechat-pay") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._started = False
        self._lock = threading.Lock()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._loop.is_closed():
                coroutine.close()
                raise RuntimeError("this facade has been closed")
            if not self._started:
                self._thread.start()
                self._started = True
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        with self._lock:
            if self._loop.is_closed():
                return
            if self._started:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join()
            self._loop.close()
