"""Fault injection: make the next N API calls fail, slow every call down, drop or delay callbacks.

Rules live in the state DB (meta "faults") so they survive a restart mid-scenario. API faults are
applied by `FaultMiddleware` before routing, so they cover every platform mounted in the app
(official account, WeCom, Pay) and even the token endpoints.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from shequn.sandbox.errors import error_body
from shequn.sandbox.state import StateStore

CONTROL_PREFIX = "/sandbox"


class Faults:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def _load(self) -> dict[str, Any]:
        data = self._store.meta_get("faults")
        if not data:
            return {"api": [], "latency_ms": 0, "latency_path": None, "callbacks": {}}
        return dict(data)

    def _save(self, data: dict[str, Any]) -> None:
        self._store.meta_set("faults", data)

    def snapshot(self) -> dict[str, Any]:
        return self._load()

    def clear(self) -> None:
        self._save({"api": [], "latency_ms": 0, "latency_path": None, "callbacks": {}})

    def fail_next(
        self,
        count: int,
        *,
        errcode: int = -1,
        errmsg: str | None = None,
        path: str | None = None,
        http_status: int = 200,
        body: str | None = None,
    ) -> None:
        """The next `count` calls (to `path` if given, else to any API) answer with this error.

        `http_status` other than 200 with `body` simulates a broken gateway (an HTML 502 page).
        """
        data = self._load()
        data["api"].append(
            {
                "remaining": int(count),
                "errcode": int(errcode),
                "errmsg": errmsg,
                "path": path,
                "http_status": int(http_status),
                "body": body,
            }
        )
        self._save(data)

    def set_latency(self, milliseconds: int, *, path: str | None = None) -> None:
        data = self._load()
        data["latency_ms"] = int(milliseconds)
        data["latency_path"] = path
        self._save(data)

    def set_callbacks(
        self,
        *,
        drop_next: int | None = None,
        delay_seconds: float | None = None,
        delay_next: int | None = None,
        duplicate_rate: float | None = None,
    ) -> None:
        """drop_next: swallow the next N callbacks; delay_next/delay_seconds: hold N back."""
        data = self._load()
        cb = dict(data.get("callbacks") or {})
        if drop_next is not None:
            cb["drop_next"] = int(drop_next)
        if delay_seconds is not None:
            cb["delay_seconds"] = float(delay_seconds)
        if delay_next is not None:
            cb["delay_next"] = int(delay_next)
        if duplicate_rate is not None:
            if not 0.0 <= duplicate_rate <= 1.0:
                raise ValueError("duplicate_rate must be within 0..1")
            cb["duplicate_rate"] = float(duplicate_rate)
        data["callbacks"] = cb
        self._save(data)

    def take_api_fault(self, path: str) -> dict[str, Any] | None:
        with self._store.transaction():
            data = self._load()
            for rule in data["api"]:
                if rule["remaining"] > 0 and (rule["path"] is None or rule["path"] == path):
                    rule["remaining"] -= 1
                    data["api"] = [r for r in data["api"] if r["remaining"] > 0]
                    self._save(data)
                    return dict(rule)
        return None

    def latency_for(self, path: str) -> float:
        data = self._load()
        if data.get("latency_ms") and data.get("latency_path") in (None, path):
            return float(data["latency_ms"]) / 1000.0
        return 0.0

    def take_callback_fault(self) -> tuple[str, float] | None:
        """('drop', 0) or ('delay', seconds) for the next callback, consuming the rule."""
        with self._store.transaction():
            data = self._load()
            cb = data.get("callbacks") or {}
            if cb.get("drop_next", 0) > 0:
                cb["drop_next"] -= 1
                self._save(data)
                return ("drop", 0.0)
            if cb.get("delay_next", 0) > 0:
                cb["delay_next"] -= 1
                self._save(data)
                return ("delay", float(cb.get("delay_seconds", 0.0)))
        return None

    def duplicate_rate(self) -> float:
        cb = self._load().get("callbacks") or {}
        return float(cb.get("duplicate_rate", 0.0))


class FaultMiddleware:
    """Applies latency and injected failures to every non-control HTTP request."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        delay = self.faults.latency_for(path)
        if delay:
            await asyncio.sleep(delay)
        rule = self.faults.take_api_fault(path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.get("body") is not None:
            payload = str(rule["body"]).encode("utf-8")
            ctype = b"text/html; charset=utf-8"
        else:
            payload = json.dumps(
                error_body(rule["errcode"], rule.get("errmsg")), ensure_ascii=False
            ).encode("utf-8")
            ctype = b"application/json; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": rule.get("http_status", 200),
                "headers": [
                    (b"content-type", ctype),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
