"""Pushing callbacks the way WeChat does: from a persistent outbox, by a background worker.

A *channel* knows one platform's wire format (the official-account channel signs and encrypts XML;
WeCom and Pay add their own). The dispatcher owns everything common: the outbox in the state DB,
due times on the sandbox clock, the per-attempt timeout (5 s) and attempt count (3), injected
drops/delays, deliberate duplicates, and the delivery log (`store.entries("delivery")`).

    sandbox.callbacks.register(MyChannel())
    item_id = sandbox.callbacks.enqueue("wecom", corpid, {...}, delay=0)
    result = await sandbox.callbacks.deliver(item_id)   # now, e.g. from the control API
    await sandbox.callbacks.drain()                     # everything due on the sandbox clock
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc

logger = logging.getLogger("shequn.sandbox.callbacks")

POLL_SECONDS = 0.05


@dataclass
class Prepared:
    """One HTTP request to push; a channel builds it fresh for every attempt (new nonce)."""

    url: str
    content: bytes
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What the receiver's answer meant. `accepted=False` makes the dispatcher try again."""

    accepted: bool
    note: str = ""
    reply: dict[str, Any] | None = None


@dataclass
class DeliveryResult:
    item_id: int
    status: str  # delivered | failed | dropped | delayed | skipped
    attempts: int = 0
    outcome: Outcome | None = None
    log_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.item_id,
            "status": self.status,
            "attempts": self.attempts,
            "note": self.outcome.note if self.outcome else "",
            "reply": self.outcome.reply if self.outcome else None,
        }


class Channel(Protocol):
    name: str
    attempts: int
    timeout: float

    def prepare(self, sandbox: Sandbox, scope: str, data: Doc) -> Prepared | None:
        """The request to send, or None when there is nowhere to send it (no callback URL)."""

    def accept(
        self, sandbox: Sandbox, scope: str, data: Doc, prepared: Prepared, response: httpx.Response
    ) -> Outcome:
        """Judge the receiver's answer (and record replies the customer would see)."""

    def on_failure(self, sandbox: Sandbox, scope: str, data: Doc) -> None:
        """Called once after the last attempt failed (e.g. to show the user an error notice)."""

    def duplicate_rate(self, sandbox: Sandbox, scope: str) -> float:
        """Chance that a delivered callback is deliberately sent once more."""


def acknowledging_statuses(channel: Channel) -> frozenset[int]:
    """HTTP statuses that count as "received": 200 for WeChat and WeCom; Pay also takes 204."""
    return frozenset(getattr(channel, "ok_statuses", (200,)))


class Callbacks:
    def __init__(self, sandbox: Sandbox, *, transport: httpx.AsyncBaseTransport | None = None):
        self.sandbox = sandbox
        self.channels: dict[str, Channel] = {}
        self.transport = transport
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._random = random.Random()

    def register(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    def seed(self, value: int) -> None:
        """Make the duplicate decisions reproducible."""
        self._random.seed(value)

    def enqueue(self, channel: str, scope: str, data: Doc, *, delay: float = 0.0) -> int:
        if channel not in self.channels:
            raise KeyError(f"no callback channel {channel!r}")
        item_id = self.sandbox.store.enqueue(channel, scope, self.sandbox.now() + delay, data)
        self._wake.set()
        return item_id

    async def deliver(self, item_id: int) -> DeliveryResult:
        """Deliver one outbox item now, whatever its due time (used by the control API)."""
        claimed = self.sandbox.store.claim(item_id)
        if claimed is None:
            return DeliveryResult(item_id, "skipped")
        return await self._deliver(*claimed)

    async def drain(self, *, rounds: int = 100) -> list[DeliveryResult]:
        """Deliver everything due on the sandbox clock, including what those deliveries enqueue."""
        results: list[DeliveryResult] = []
        for _ in range(rounds):
            due = self.sandbox.store.claim_due(self.sandbox.now())
            if not due:
                break
            results.extend([await self._deliver(*item) for item in due])
        return results

    async def _deliver(
        self, item_id: int, channel_name: str, scope: str, data: Doc
    ) -> DeliveryResult:
        store = self.sandbox.store
        channel = self.channels.get(channel_name)
        if channel is None:
            store.finish(item_id, "failed", 0)
            return DeliveryResult(item_id, "failed")
        fault = self.sandbox.faults.take_callback_fault()
        if fault is not None and fault[0] == "drop":
            store.finish(item_id, "dropped", 0)
            log_id = self._log(
                item_id,
                channel_name,
                scope,
                data,
                attempt=0,
                ok=False,
                note="dropped by fault injection",
            )
            return DeliveryResult(item_id, "dropped", log_ids=[log_id])
        if fault is not None and fault[0] == "delay":
            store.finish(item_id, "delayed", 0)
            new_id = store.enqueue(channel_name, scope, self.sandbox.now() + fault[1], data)
            log_id = self._log(
                item_id,
                channel_name,
                scope,
                data,
                attempt=0,
                ok=False,
                note=f"delayed {fault[1]}s by fault injection as #{new_id}",
            )
            return DeliveryResult(item_id, "delayed", log_ids=[log_id])

        result = DeliveryResult(item_id, "failed")
        async with httpx.AsyncClient(transport=self.transport, timeout=channel.timeout) as client:
            for attempt in range(1, channel.attempts + 1):
                prepared = channel.prepare(self.sandbox, scope, data)
                if prepared is None:
                    store.finish(item_id, "skipped", 0)
                    log_id = self._log(
                        item_id,
                        channel_name,
                        scope,
                        data,
                        attempt=0,
                        ok=False,
                        note="no callback URL configured",
                    )
                    return DeliveryResult(item_id, "skipped", log_ids=[log_id])
                outcome, status, elapsed = await self._attempt(
                    client, channel, scope, data, prepared
                )
                result.attempts = attempt
                result.outcome = outcome
                result.log_ids.append(
                    self._log(
                        item_id,
                        channel_name,
                        scope,
                        data,
                        attempt=attempt,
                        ok=outcome.accepted,
                        note=outcome.note,
                        url=prepared.url,
                        http_status=status,
                        elapsed_ms=elapsed,
                        reply=outcome.reply,
                        request_body=prepared.content.decode("utf-8", "replace"),
                    )
                )
                if outcome.accepted:
                    result.status = "delivered"
                    break
        store.finish(item_id, result.status, result.attempts)
        if result.status == "failed":
            channel.on_failure(self.sandbox, scope, data)
        elif self._random.random() < channel.duplicate_rate(self.sandbox, scope):
            await self._duplicate(channel, item_id, scope, data)
        return result

    async def _attempt(
        self, client: httpx.AsyncClient, channel: Channel, scope: str, data: Doc, prepared: Prepared
    ) -> tuple[Outcome, int | None, int]:
        started = time.monotonic()
        try:
            response = await client.post(
                prepared.url,
                params=prepared.params,
                headers=prepared.headers,
                content=prepared.content,
            )
        except httpx.TimeoutException:
            return Outcome(False, f"no answer within {channel.timeout:g}s"), None, _ms(started)
        except httpx.HTTPError as exc:
            return Outcome(False, f"transport error: {exc.__class__.__name__}"), None, _ms(started)
        elapsed = _ms(started)
        if response.status_code not in acknowledging_statuses(channel):
            return Outcome(False, f"HTTP {response.status_code}"), response.status_code, elapsed
        outcome = channel.accept(self.sandbox, scope, data, prepared, response)
        return outcome, response.status_code, elapsed

    async def _duplicate(self, channel: Channel, item_id: int, scope: str, data: Doc) -> None:
        """WeChat sometimes delivers the same packet twice; receivers must de-duplicate."""
        prepared = channel.prepare(self.sandbox, scope, data)
        if prepared is None:
            return
        async with httpx.AsyncClient(transport=self.transport, timeout=channel.timeout) as client:
            try:
                response = await client.post(
                    prepared.url,
                    params=prepared.params,
                    headers=prepared.headers,
                    content=prepared.content,
                )
                status: int | None = response.status_code
            except httpx.HTTPError:
                status = None
        self._log(
            item_id,
            channel.name,
            scope,
            data,
            attempt=1,
            ok=status in acknowledging_statuses(channel),
            note="deliberate duplicate",
            url=prepared.url,
            http_status=status,
            duplicate=True,
        )

    def _log(self, item_id: int, channel: str, scope: str, data: Doc, **fields: Any) -> int:
        entry = {
            "outbox_id": item_id,
            "channel": channel,
            "summary": data.get("summary", ""),
            "duplicate": False,
            **fields,
        }
        return self.sandbox.store.append("delivery", scope, self.sandbox.now(), entry)

    # background worker ---------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self.sandbox.store.recover_inflight()
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="sandbox-callbacks"
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.drain(rounds=1)
            except Exception:  # the worker must outlive one bad item
                logger.exception("sandbox.callbacks.worker_error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)
            self._wake.clear()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
