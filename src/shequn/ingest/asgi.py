"""The ASGI front served by `shequn serve`: callbacks (/cb/) in batches, everything else to Django.

    application = CallbackFront(get_asgi_application())   # see shequn.ingest.asgi_app

A callback is read on the event loop and handed to the process's `CallbackPipeline`: ONE thread
that takes every callback waiting at that moment, runs the hot path (`receive.begin`) for each,
writes all their inbox rows in one transaction, builds the answers and hands them back to the
loop in one call. Compared with a thread per request blocking on a writer thread, a burst of
callbacks costs one thread hand-off and one commit instead of several each, and the database
and Django's synchronous ORM are never touched from the event loop. An answer is sent only
after the row's transaction committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from django.db import connection

from shequn.core.logging import get_logger
from shequn.ingest.channel_cache import check_generation
from shequn.ingest.inbox import (
    BatchingThread,
    Enqueue,
    Inserted,
    commit_rows,
    enqueue_processing,
    new_rows_of,
)
from shequn.ingest.receive import (
    MAX_BODY_BYTES,
    NOT_FOUND,
    TOO_LARGE,
    UNAVAILABLE,
    Accepted,
    Answer,
    Callback,
    begin,
    complete,
    failed,
)

log = get_logger(__name__)

PREFIX = "/cb/"
ANSWER_TIMEOUT = 10.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def parse_query(query: str) -> dict[str, str]:
    """Like dict(parse_qsl(query, keep_blank_values=True)), without its cost on plain values."""
    found: dict[str, str] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in part or "+" in part:
            name, value = unquote_plus(name), unquote_plus(value)
        found[name] = value
    return found


@dataclass
class _Job:
    callback: Callback | Accepted  # Accepted: verified and parsed already, only to be written
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Answer]


def _settle(pairs: list[tuple[asyncio.Future[Answer], Answer]]) -> None:
    for future, answer in pairs:
        if not future.done():
            future.set_result(answer)


class CallbackPipeline(BatchingThread):
    """The per-process thread answering callbacks in batches (see the module docstring).

    `linger`: when more than one callback is waiting, wait this long for more before writing,
    so a burst shares one commit; a lone callback is answered at once.
    """

    thread_name = "shequn-callback-pipeline"

    def __init__(
        self,
        *,
        max_batch: int = 256,
        linger: float = 0.001,
        enqueue: Enqueue = enqueue_processing,
        enqueue_every: float = 0.1,
    ) -> None:
        super().__init__(enqueue, enqueue_every)
        self.max_batch = max_batch
        self.linger = linger
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)
        if self._enqueuer is not None:
            self._enqueuer.stop()
            self._enqueuer = None

    def submit(
        self,
        callback: Callback | Accepted,
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[Answer],
    ) -> None:
        """Queue a callback (or one `begin` accepted already); `future` gets its answer on
        `loop` once its batch is settled."""
        if self._thread is None:
            self.start()
        self._queue.put(_Job(callback, loop, future))

    async def answer(self, callback: Callback) -> Answer:
        self.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        self._queue.put(_Job(callback, loop, future))
        try:
            return await asyncio.wait_for(future, ANSWER_TIMEOUT)
        except TimeoutError:
            log.error("ingest.callback.pipeline_timeout", kind=callback.kind)
            return UNAVAILABLE

    def answer_all(self, callbacks: Sequence[Callback | Accepted]) -> list[Answer]:
        """Answer a batch: hot path for each, one transaction for all rows, then the replies."""
        steps = [
            callback if isinstance(callback, Accepted) else begin(callback)
            for callback in callbacks
        ]
        accepted = [step for step in steps if isinstance(step, Accepted)]
        rows = [step.row for step in accepted]
        outcomes = commit_rows(rows) if rows else []
        by_step: dict[int, Answer] = {}
        for step, outcome in zip(accepted, outcomes, strict=True):
            if isinstance(outcome, Inserted):
                by_step[id(step)] = complete(step, outcome)
            else:
                by_step[id(step)] = failed(step, outcome)
        new_rows = new_rows_of(rows, outcomes)
        if new_rows and self._enqueuer is not None:
            self._enqueuer.put(new_rows)
        return [step if isinstance(step, Answer) else by_step[id(step)] for step in steps]

    def _take(self) -> list[_Job] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        if not self._drain(batch) and len(batch) > 1 and self.linger > 0:
            # Callbacks are arriving together: let the burst gather. Sleeping (rather than
            # waiting on the queue) means the arrivals do not each wake this thread.
            time.sleep(self.linger)
            self._drain(batch)
        return batch

    def _drain(self, batch: list[_Job]) -> bool:
        """Move what is waiting into `batch`; True when told to stop (after this batch)."""
        get = self._queue.get_nowait
        while len(batch) < self.max_batch:
            try:
                job = get()
            except queue.Empty:
                return False
            if job is None:
                self._queue.put(None)
                return True
            batch.append(job)
        return False

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                connection.close()
                return
            # The event loop reads channels from memory only; changes are noticed here.
            check_generation()
            try:
                answers = self.answer_all([job.callback for job in batch])
            except Exception:
                log.exception("ingest.callback.pipeline_crashed")
                answers = [UNAVAILABLE] * len(batch)
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Any, Answer]]] = {}
            for job, answer in zip(batch, answers, strict=True):
                by_loop.setdefault(job.loop, []).append((job.future, answer))
            for loop, pairs in by_loop.items():
                # A closed loop raises RuntimeError: nobody is waiting for those answers.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, pairs)


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value)
    return None


def _pay_headers(scope: Scope) -> dict[str, str]:
    found = {}
    for name, value in scope.get("headers", ()):
        lowered = bytes(name).decode("latin-1").lower()
        if lowered.startswith("wechatpay-"):
            title = "-".join(part.capitalize() for part in lowered.split("-"))
            found[title] = bytes(value).decode("latin-1")
    return found


class CallbackFront:
    """ASGI app: /cb/<kind>/<key>/ through the pipeline, the rest to `app` (Django)."""

    def __init__(self, app: ASGIApp, pipeline: CallbackPipeline | None = None) -> None:
        self.app = app
        self.pipeline = pipeline or CallbackPipeline()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            answer = await self._answer(scope, receive)
            await send(
                {
                    "type": "http.response.start",
                    "status": answer.status,
                    "headers": [
                        (b"content-type", answer.content_type.encode("latin-1")),
                        (b"content-length", str(len(answer.body)).encode("ascii")),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pipeline.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.get_running_loop().run_in_executor(None, self.pipeline.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _answer(self, scope: Scope, receive: Receive) -> Answer:
        path: str = scope["path"]
        parts = path[len(PREFIX) :].strip("/").split("/")
        if len(parts) != 2 or not path.endswith("/"):
            return NOT_FOUND
        kind, key = parts
        declared = _header(scope, b"content-length")
        try:
            length = int(declared) if declared is not None else 0
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return TOO_LARGE
        method: str = scope.get("method", "GET")
        body = await _read_body(receive) if method == "POST" else b""
        if body is None:
            return TOO_LARGE
        query = parse_query(bytes(scope.get("query_string", b"")).decode("latin-1"))
        callback = Callback(
            kind=kind,
            key=key,
            method=method,
            query=query,
            body=body,
            headers=_pay_headers(scope) if kind == "pay" else {},
        )
        return await self.pipeline.answer(callback)


async def _read_body(receive: Receive) -> bytes | None:
    """The request body, or None once it grows past the cap (a lying Content-Length included)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
