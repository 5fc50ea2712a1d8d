"""Several OS processes share one access token through Redis or SQLite: exactly one fetch."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from shequn.wechat.endpoints import Platform
from shequn.wechat.http import APICore
from shequn.wechat.tokens import (
    RedisTokenStore,
    SQLiteTokenStore,
    StableTokenFetcher,
    TokenProvider,
    TokenStore,
)

PROCESSES = 5
CONCURRENT = 20
ROUNDS = 3
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


class CountingTokenServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.fetches = 0
        self.bodies: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: CountingTokenServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path.split("?")[0] != "/cgi-bin/stable_token":
            self._send({"errcode": 40066, "errmsg": "invalid url"})
            return
        with self.server.lock:
            self.server.fetches += 1
            self.server.bodies.append(body)
            number = self.server.fetches
        # A slow answer widens the window in which a second fetch would slip in.
        time.sleep(0.3)
        self._send({"access_token": f"TOKEN-{number}-{uuid.uuid4().hex}", "expires_in": 7200})

    def _send(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def token_server() -> Iterator[CountingTokenServer]:
    server = CountingTokenServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _make_store(kind: str, where: str) -> tuple[TokenStore, Any]:
    if kind == "redis":
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(where)
        # Every process must share one key space.
        return RedisTokenStore(client, prefix="test:shared:"), client
    return SQLiteTokenStore(where), None


def _worker(base_url: str, kind: str, where: str, key: str, barrier: Any, results: Any) -> None:
    async def main() -> list[str]:
        store, closeable = _make_store(kind, where)
        core = APICore(Platform.OFFICIAL_ACCOUNT, base_url=base_url)
        provider = TokenProvider(
            key,
            StableTokenFetcher(core, "wx0123456789abcdef", "s3cret"),
            store,
            poll_interval=0.01,
        )
        seen: list[str] = []
        try:
            for _ in range(ROUNDS):
                seen += await asyncio.gather(*(provider.get_token() for _ in range(CONCURRENT)))
        finally:
            await core.aclose()
            if closeable is not None:
                await closeable.aclose()
        return seen

    barrier.wait(timeout=60)
    try:
        results.put(("ok", asyncio.run(main())))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        results.put(("error", repr(exc)))


def _run_processes(base_url: str, kind: str, where: str, key: str) -> list[list[str]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(base_url, kind, where, key, barrier, results))
        for _ in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    errors = [detail for status, detail in outcomes if status == "error"]
    assert not errors, errors
    return [tokens for _, tokens in outcomes]


def _assert_one_fetch(server: CountingTokenServer, per_process: list[list[str]]) -> None:
    assert server.fetches == 1
    assert server.bodies[0]["force_refresh"] is False
    assert len(per_process) == PROCESSES
    assert all(len(tokens) == CONCURRENT * ROUNDS for tokens in per_process)
    distinct = {token for tokens in per_process for token in tokens}
    assert len(distinct) == 1
    assert distinct.pop().startswith("TOKEN-1-")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.slow
def test_processes_sharing_sqlite_store_fetch_once(
    token_server: CountingTokenServer, tmp_path: Path
) -> None:
    db = tmp_path / "tokens.sqlite3"
    SQLiteTokenStore(db)  # create the schema once, as a deployment would at start-up
    per_process = _run_processes(token_server.base_url, "sqlite", str(db), "oa:wx01")
    _assert_one_fetch(token_server, per_process)


@pytest.mark.slow
@pytest.mark.redis
def test_processes_sharing_redis_store_fetch_once(token_server: CountingTokenServer) -> None:
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable and CI=true requires it")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable; start it to run this test")
    import redis

    key = f"oa:{uuid.uuid4().hex}"
    try:
        per_process = _run_processes(token_server.base_url, "redis", REDIS_URL, key)
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(f"test:shared:{key}", f"test:shared:{key}:lease")
    _assert_one_fetch(token_server, per_process)
