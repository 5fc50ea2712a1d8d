"""The RSGI front served by `shequn serve`: callbacks (/cb/) in batches, everything else to Django.

    application = CallbackRSGI(get_asgi_application())   # see shequn.ingest.asgi_app

granian's RSGI interface hands the request over as one Rust object and takes the answer in one
call, where ASGI builds a scope dict, two message dicts and a receive/send coroutine pair per
request; on the callback path that difference is a large share of the per-request Python time.
Callbacks go to the process's `CallbackPipeline` (shequn.ingest.asgi) exactly as under ASGI;
every other request is adapted to ASGI and given to Django's ASGI handler unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from shequn.core.logging import get_logger
from shequn.ingest.asgi import (
    ANSWER_TIMEOUT,
    PREFIX,
    ASGIApp,
    CallbackPipeline,
    Message,
    parse_query,
)
from shequn.ingest.receive import (
    BAD_REQUEST,
    MAX_BODY_BYTES,
    NOT_FOUND,
    TOO_LARGE,
    UNAVAILABLE,
    Answer,
    Callback,
    begin_in_memory,
)

log = get_logger(__name__)

# How often each event loop looks for callbacks the pipeline has not answered in time.
WATCH_EVERY = 1.0

_HEADERS: dict[str, list[tuple[str, str]]] = {}


def _headers_of(answer: Answer) -> list[tuple[str, str]]:
    found = _HEADERS.get(answer.content_type)
    if found is None:
        found = _HEADERS[answer.content_type] = [("content-type", answer.content_type)]
    return found


class _Watch:
    """Callbacks of one event loop still waiting for the pipeline, oldest first.

    Replaces a timeout per request (a timer handle each) with one sweep a second: anything older
    than ANSWER_TIMEOUT is answered 503 so the platform retries.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: deque[tuple[float, asyncio.Future[Answer]]] = deque()
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._handle = self.loop.call_later(WATCH_EVERY, self._sweep)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()

    def _sweep(self) -> None:
        waiting = self.waiting
        limit = self.loop.time() - ANSWER_TIMEOUT
        while waiting:
            since, future = waiting[0]
            if not future.done():
                if since > limit:
                    break
                log.error("ingest.callback.pipeline_timeout")
                future.set_result(UNAVAILABLE)
            waiting.popleft()
        self.start()


class CallbackRSGI:
    """RSGI app: /cb/<kind>/<key>/ through the pipeline, the rest to `app` (Django, ASGI)."""

    def __init__(self, app: ASGIApp, pipeline: CallbackPipeline | None = None) -> None:
        self.app = app
        self.pipeline = pipeline or CallbackPipeline()
        self._watches: dict[asyncio.AbstractEventLoop, _Watch] = {}

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        # Everything loaded so far (Django, models, settings) lives as long as the worker:
        # keep it out of the collector's full passes, which would otherwise walk it again and
        # again under load.
        gc.freeze()
        self.pipeline.start()
        self._watch(loop)

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        watch = self._watches.pop(loop, None)
        if watch is not None:
            watch.stop()
        self.pipeline.stop()

    def _watch(self, loop: asyncio.AbstractEventLoop) -> _Watch:
        watch = self._watches.get(loop)
        if watch is None:
            watch = self._watches[loop] = _Watch(loop)
            watch.start()
        return watch

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        if scope.proto == "http" and scope.path.startswith(PREFIX):
            answer = await self._answer(scope, protocol)
            protocol.response_bytes(answer.status, _headers_of(answer), answer.body)
            return
        if scope.proto == "http":
            await _asgi_http(self.app, scope, protocol)
            return
        # WebSockets are switched off in `shequn serve`; refuse anything else that arrives.
        with contextlib.suppress(Exception):
            protocol.close(1008)

    async def _answer(self, scope: Any, protocol: Any) -> Answer:
        path: str = scope.path
        parts = path[len(PREFIX) :].strip("/").split("/")
        if len(parts) != 2 or not path.endswith("/"):
            return NOT_FOUND
        kind, key = parts
        headers = scope.headers
        method: str = scope.method
        body = b""
        if method == "POST":
            declared = headers.get("content-length")
            if declared is not None:
                try:
                    length = int(declared)
                except ValueError:
                    return BAD_REQUEST
                if length > MAX_BODY_BYTES:
                    return TOO_LARGE
                # The HTTP layer never reads past a declared length.
                body = await protocol()
            else:
                found = await _read_capped(protocol)
                if found is None:
                    return TOO_LARGE
                body = found
        callback = Callback(
            kind,
            key,
            method,
            parse_query(scope.query_string),
            body,
            _pay_headers(headers) if kind == "pay" else {},
        )
        # Verify, decrypt and parse here when that needs no I/O: it then overlaps with the
        # pipeline thread's database work (which releases the GIL) instead of queueing behind it.
        step = begin_in_memory(callback)
        if isinstance(step, Answer):
            return step
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        watch = self._watches.get(loop) or self._watch(loop)
        watch.waiting.append((loop.time(), future))
        self.pipeline.submit(callback if step is None else step, loop, future)
        return await future


async def _read_capped(protocol: Any) -> bytes | None:
    """A body without Content-Length (chunked), or None once it grows past the cap."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in protocol:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _pay_headers(headers: Any) -> dict[str, str]:
    found = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered.startswith("wechatpay-"):
            found["-".join(part.capitalize() for part in lowered.split("-"))] = value
    return found


# -- everything else: Django's ASGI handler on RSGI ------------------------------------------


def _asgi_scope(scope: Any) -> dict[str, Any]:
    host, _, port = str(scope.server).rpartition(":")
    client_host, _, client_port = str(scope.client).rpartition(":")
    path: str = scope.path
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": scope.http_version,
        "method": scope.method,
        "scheme": scope.scheme,
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": scope.query_string.encode("latin-1"),
        "root_path": "",
        "headers": [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in scope.headers.items()
        ],
        "client": (client_host, int(client_port or 0)),
        "server": (host, int(port or 0)),
        "state": {},
    }


async def _asgi_http(app: ASGIApp, scope: Any, protocol: Any) -> None:
    """Run an ASGI app for one RSGI request (request body streamed, response buffered or
    streamed as the app sends it)."""
    chunks: AsyncIterator[bytes] = protocol.__aiter__()
    body_done = False
    status = 500
    headers: list[tuple[str, str]] = []
    started = False
    transport: Any = None
    finished = False

    async def receive() -> Message:
        nonlocal body_done
        if not body_done:
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                body_done = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": chunk, "more_body": True}
        await protocol.client_disconnect()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status, headers, started, transport, finished
        kind = message["type"]
        if kind == "http.response.start":
            status = int(message["status"])
            headers = [
                (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
                for name, value in message.get("headers", ())
            ]
            started = True
        elif kind == "http.response.body" and started and not finished:
            data = bytes(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if transport is None and not more:
                protocol.response_bytes(status, headers, data)
                finished = True
                return
            if transport is None:
                transport = protocol.response_stream(status, headers)
            if data:
                await transport.send_bytes(data)
            if not more:
                finished = True

    try:
        await app(_asgi_scope(scope), receive, send)
    finally:
        if not finished and transport is None:
            if started:
                protocol.response_bytes(status, headers, b"")
            else:
                protocol.response_bytes(500, [("content-type", "text/plain")], b"")
