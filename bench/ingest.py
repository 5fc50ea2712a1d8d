"""Callback ingest benchmark: Shequn's safe-mode receive endpoint against a wechatpy + Flask one.

    python bench/ingest.py [--requests 20000] [--concurrency 48] [--duration 30]

1. Shequn: `shequn serve` (gunicorn gthread, 2 workers) on SQLite in a temporary data dir, one
   official account in safe mode; every request is verified, decrypted, parsed and written to
   the inbox (dedupe on, group commit) before it is answered.
2. Reference: wechatpy 1.8.18 + Flask under gunicorn with 2 workers; verifies, decrypts, parses,
   answers "success"; stores nothing.
3. The same load generator (asyncio, raw sockets, keep-alive where the server allows it) sends the
   same pre-encrypted requests to each: closed loop at fixed concurrency for the peak rate, then
   open loop at half of Shequn's peak for the latency at a steady rate. A share of requests are
   exact repeats (WeChat's retries and deliberate duplicates); a failed request is retried.
4. Shequn's inbox is then counted: rows must equal the distinct messages sent.

The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shequn.wechat.crypto import MessageCrypto  # noqa: E402
from shequn.wechat.signature import sha1_signature  # noqa: E402

TOKEN = "benchtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx00000000bench01"
DUPLICATE_SHARE = 0.1
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Request:
    msg_id: str
    raw: bytes  # path + headers + body, without the Host line's port variance


def build_requests(count: int, path: str, seed: int = 7) -> tuple[list[tuple[str, bytes]], int]:
    """(msg_id, request bytes) in send order, with repeats mixed in; and the distinct count."""
    crypto = MessageCrypto(TOKEN, AES_KEY, APPID)
    rng = random.Random(seed)
    distinct = int(count / (1 + DUPLICATE_SHARE))
    base = 10_000_000 + rng.randrange(1_000_000) * 1000
    unique: list[tuple[str, bytes]] = []
    now = int(time.time())
    for i in range(distinct):
        msg_id = str(base + i)
        xml = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[oBench{i % 5000}]]></FromUserName>"
            f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[hello {i}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        timestamp, nonce = str(now), f"n{i}"
        envelope = crypto.encrypt_envelope(xml, timestamp=timestamp, nonce=nonce).encode()
        encrypted = envelope.split(b"<Encrypt><![CDATA[", 1)[1].split(b"]]>", 1)[0].decode()
        query = urlencode(
            {
                "signature": sha1_signature(TOKEN, timestamp, nonce),
                "timestamp": timestamp,
                "nonce": nonce,
                "openid": f"oBench{i % 5000}",
                "encrypt_type": "aes",
                "msg_signature": sha1_signature(TOKEN, timestamp, nonce, encrypted),
            }
        )
        head = (
            f"POST {path}?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(envelope)}\r\n\r\n"
        ).encode()
        unique.append((msg_id, head + envelope))
    ordered = list(unique)
    for _ in range(count - distinct):
        # A repeat shortly after the original, as WeChat's retries arrive.
        index = rng.randrange(len(ordered))
        ordered.insert(min(len(ordered), index + rng.randrange(1, 50)), ordered[index])
    return ordered, distinct


# -- load generator ------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    failed_attempts: int = 0
    gave_up: int = 0
    started: float = 0.0
    finished: float = 0.0
    acked: set[str] = field(default_factory=set)

    @property
    def rps(self) -> float:
        return self.ok / max(1e-9, self.finished - self.started)

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes, timeout: float = 10.0) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            lname = name.strip().lower()
            if lname == b"content-length":
                length = int(value.strip())
            elif lname == b"connection" and value.strip().lower() == b"close":
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _attempt(conn: Connection, raw: bytes) -> int:
    try:
        return await conn.send(raw)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        conn.close()
        return 0


async def closed_loop(
    port: int, requests: list[tuple[str, bytes]], concurrency: int, cap: float
) -> Result:
    result = Result()
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    deadline = time.perf_counter() + cap

    async def worker() -> None:
        conn = Connection(port)
        while time.perf_counter() < deadline:
            try:
                msg_id, raw = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            for _ in range(3):  # WeChat tries a push three times
                start = time.perf_counter()
                status = await _attempt(conn, raw)
                if status == 200:
                    result.latencies.append(time.perf_counter() - start)
                    result.ok += 1
                    result.acked.add(msg_id)
                    break
                result.failed_attempts += 1
            else:
                result.gave_up += 1
        conn.close()

    result.started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.finished = time.perf_counter()
    return result


async def open_loop(
    port: int, requests: list[tuple[str, bytes]], rate: float, cap: float, pool: int
) -> Result:
    """Send at a fixed rate whatever the answers; latency counts from the scheduled send time."""
    result = Result()
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(pool):
        idle.put_nowait(Connection(port))
    count = min(len(requests), int(rate * cap))
    interval = 1.0 / rate
    tasks = []

    async def one(msg_id: str, raw: bytes, scheduled: float) -> None:
        conn = await idle.get()
        try:
            for _ in range(3):
                status = await _attempt(conn, raw)
                if status == 200:
                    result.latencies.append(time.perf_counter() - scheduled)
                    result.ok += 1
                    result.acked.add(msg_id)
                    return
                result.failed_attempts += 1
            result.gave_up += 1
        finally:
            idle.put_nowait(conn)

    result.started = time.perf_counter()
    for i in range(count):
        scheduled = result.started + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        msg_id, raw = requests[i]
        tasks.append(asyncio.create_task(one(msg_id, raw, scheduled)))
    await asyncio.gather(*tasks)
    result.finished = time.perf_counter()
    return result


# -- servers -------------------------------------------------------------------------------


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


SETUP = f"""
import django
django.setup()
from shequn.channels import services
from shequn.core.actors import acting_as, system_actor
from shequn.tenancy.models import Organization, Workspace
from shequn.tenancy.scope import tenant_scope
org = Organization.objects.create(name="Bench")
ws = Workspace.objects.create(organization=org, slug="bench", name="Bench")
with tenant_scope(ws), acting_as(system_actor("bench")):
    account = services.connect_official_account(
        name="Bench OA", appid={APPID!r}, secret="s", token={TOKEN!r},
        encoding_aes_key={AES_KEY!r}, encryption_mode="safe")
print(account.callback_key)
"""


def shequn_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SHEQUN_ENV": "development",
        "SHEQUN_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "shequn.config.settings",
        "SHEQUN_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{data_dir / 'shequn.sqlite3'}",
        "REDIS_URL": "",
    }


def start_shequn(
    data_dir: Path, port: int, workers: int, threads: int
) -> tuple[subprocess.Popen[bytes], str]:
    env = shequn_env(data_dir)
    subprocess.run([str(BIN / "shequn"), "migrate"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True
    )
    key = done.stdout.strip().splitlines()[-1]
    proc = subprocess.Popen(
        [
            str(BIN / "shequn"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, proc)
    return proc, f"/cb/oa/{key}/"


def start_reference(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BENCH_TOKEN": TOKEN, "BENCH_AES_KEY": AES_KEY, "BENCH_APPID": APPID}
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--chdir",
            str(ROOT / "bench"),
            "reference_wechatpy:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, proc)
    return proc


def inbox_msg_ids(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "shequn.sqlite3") as db:
        rows = db.execute("SELECT json_extract(fields, '$.MsgId') FROM ingest_inboundevent")
        return [str(row[0]) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=48)
    parser.add_argument("--duration", type=float, default=30.0, help="cap per phase, seconds")
    parser.add_argument("--open-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="shequn-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        shequn_port, ref_port = free_port(), free_port()
        shequn, path = start_shequn(data_dir, shequn_port, args.workers, args.threads)
        procs.append(shequn)
        reference = start_reference(ref_port)
        procs.append(reference)

        peak_requests, peak_distinct = build_requests(args.requests, path, seed=1)
        ref_requests, _ = build_requests(args.requests, "/wechat/", seed=2)
        warm, _ = build_requests(200, path, seed=3)
        asyncio.run(closed_loop(shequn_port, warm, 8, 10))

        ref = asyncio.run(closed_loop(ref_port, ref_requests, args.concurrency, args.duration))
        peak = asyncio.run(closed_loop(shequn_port, peak_requests, args.concurrency, args.duration))
        rate = max(1.0, peak.rps / 2)
        steady_count = int(rate * args.open_seconds) + 1
        steady_requests, _ = build_requests(steady_count, path, seed=4)
        steady = asyncio.run(
            open_loop(shequn_port, steady_requests, rate, args.open_seconds, args.concurrency * 4)
        )

        # Distinct messages Shequn acknowledged in every phase (warm-up included).
        acked = {m for m, _ in warm} | peak.acked | steady.acked
        sent_distinct = len(
            {m for m, _ in warm}
            | {m for m, _ in peak_requests[: peak.ok + peak.gave_up]}
            | {m for m, _ in steady_requests[: steady.ok + steady.gave_up]}
        )
        stored = inbox_msg_ids(data_dir)
        rows = len(stored)
        lost = len(acked - set(stored))
        doubled = rows - len(set(stored)) + len(set(stored) - acked)
        report = {
            "shequn_rps": round(peak.rps, 1),
            "reference_rps": round(ref.rps, 1),
            "throughput_ratio": round(peak.rps / max(ref.rps, 1e-9), 2),
            "shequn_p50_ms": round(peak.pct(50), 2),
            "shequn_p99_ms": round(peak.pct(99), 2),
            "reference_p50_ms": round(ref.pct(50), 2),
            "reference_p99_ms": round(ref.pct(99), 2),
            "half_peak_rate": round(rate, 1),
            "p50_ms_at_half_peak": round(steady.pct(50), 2),
            "p99_ms_at_half_peak": round(steady.pct(99), 2),
            "sent": len(warm) + peak.ok + peak.failed_attempts + steady.ok + steady.failed_attempts,
            "distinct": sent_distinct,
            "inbox_rows": rows,
            "lost": lost,
            "doubled": doubled,
            "failed_attempts": peak.failed_attempts + steady.failed_attempts,
            "gave_up": peak.gave_up + steady.gave_up,
            "concurrency": args.concurrency,
            "peak_distinct_planned": peak_distinct,
        }
        print(
            f"shequn {report['shequn_rps']} req/s (p50 {report['shequn_p50_ms']} ms, p99 "
            f"{report['shequn_p99_ms']} ms); reference {report['reference_rps']} req/s; "
            f"half-peak p99 {report['p99_ms_at_half_peak']} ms; rows {rows} for {sent_distinct} distinct"
        )
        print(json.dumps(report))
        return 0
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
