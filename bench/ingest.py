"""Callback ingest benchmark: Shequn's safe-mode receive endpoint against a wechatpy + Flask one.

    python bench/ingest.py [--requests 80000] [--concurrency 256] [--paced-concurrency 64]
                            [--duration 15] [--open-seconds 10]

1. Shequn: `shequn serve` (granian, RSGI callback front, 2 workers) on SQLite in a temporary data
   dir, one official account in safe mode; every request is verified, decrypted, parsed and
   written to the inbox (dedupe on, batched commits) before it is answered.
2. Reference: wechatpy 1.8.18 + Flask under gunicorn with 2 workers; verifies, decrypts, parses,
   answers "success"; stores nothing.
3. The same load generator, wrk with bench/ingest_wrk.lua, replays the same kind of pre-built,
   pre-encrypted requests against each (wrk is installed with apt-get when missing and running
   as root): closed loop at fixed concurrency for the peak rate, then paced at half of Shequn's
   peak for the latency at a steady rate. ~10 % of requests are exact repeats (WeChat's retries
   and duplicates); once a request file is used up wrk starts it again, all repeats.
4. Requests still in flight when wrk stopped are sent again (as WeChat retries an unanswered
   push); Shequn's inbox is then counted: rows must equal the distinct messages sent.
5. CPU time per request during each peak phase (every process of the server plus wrk, from
   /proc): on a machine shared with other work the request rates move with the neighbours' load,
   the CPU each request costs much less so.

The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import argparse
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
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shequn.wechat.crypto import MessageCrypto  # noqa: E402
from shequn.wechat.signature import sha1_signature  # noqa: E402

TOKEN = "benchtoken"  # noqa: S105 - a throwaway bench channel
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx00000000bench01"
DUPLICATE_SHARE = 0.1
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
        encrypted = crypto.encrypt(xml.encode())
        # The shape of an official account's safe-mode push.
        envelope = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        ).encode()
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


# -- load generator (wrk + bench/ingest_wrk.lua) --------------------------------------------

WRK_SCRIPT = ROOT / "bench" / "ingest_wrk.lua"


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "bench/ingest.py needs wrk (Debian/Ubuntu: apt-get install -y wrk); it is not installed"
    )


@dataclass
class Phase:
    """One wrk run over per-thread request files."""

    slices: list[list[tuple[str, bytes]]]
    stats: dict[str, Any] = field(default_factory=dict)
    server_cpu_us: float = 0.0  # server CPU per answered request
    wrk_cpu_us: float = 0.0  # load generator CPU per answered request

    @property
    def rps(self) -> float:
        return float(self.stats["requests"]) / max(1e-9, self.stats["duration_us"] / 1e6)

    @property
    def errors(self) -> int:
        return sum(
            int(self.stats[k])
            for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
        )

    def ms(self, key: str) -> float:
        return round(float(self.stats[key]) / 1000, 2)

    def issued(self) -> list[tuple[str, bytes]]:
        """Every request wrk was handed, in order per thread (a slice wraps around)."""
        out: list[tuple[str, bytes]] = []
        for tid, items in enumerate(self.slices):
            count = int(self.stats["issued"].get(str(tid), 0))
            for index in range(count):
                out.append(items[index % len(items)])
        return out


def write_slices(
    requests: list[tuple[str, bytes]], prefix: Path, threads: int
) -> list[list[tuple[str, bytes]]]:
    slices = [requests[i::threads] for i in range(threads)]
    for tid, items in enumerate(slices):
        with open(f"{prefix}.{tid}", "wb") as out:
            for _, raw in items:
                out.write(b"%d\n" % len(raw))
                out.write(raw)
    return slices


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
            except OSError:
                pass
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by a process tree (0.0 where /proc is missing)."""
    total = 0.0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def run_wrk(
    wrk: str,
    port: int,
    requests: list[tuple[str, bytes]],
    prefix: Path,
    *,
    threads: int,
    connections: int,
    seconds: float,
    rate: float = 0.0,
    server_pid: int = 0,
) -> Phase:
    phase = Phase(write_slices(requests, prefix, threads))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{max(connections, threads)}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        str(prefix),
        str(threads),
    ]
    if rate > 0:
        command.append(f"{rate:.1f}")
    server_before = tree_cpu_seconds(server_pid) if server_pid else 0.0
    wrk_before = os.times()
    done = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=seconds + 120
    )
    wrk_after = os.times()
    server_cpu = (tree_cpu_seconds(server_pid) - server_before) if server_pid else 0.0
    wrk_cpu = (wrk_after.children_user + wrk_after.children_system) - (
        wrk_before.children_user + wrk_before.children_system
    )
    for line in done.stdout.splitlines():
        if line.startswith("WRKJSON "):
            phase.stats = json.loads(line[len("WRKJSON ") :])
            answered = max(1, int(phase.stats["requests"]))
            phase.server_cpu_us = server_cpu / answered * 1e6
            phase.wrk_cpu_us = wrk_cpu / answered * 1e6
            return phase
    raise RuntimeError(f"wrk printed no result: {done.stdout[-500:]} {done.stderr[-500:]}")


def resend(port: int, raw: bytes, attempts: int = 3) -> bool:
    """WeChat's retry of a push that got no answer: True once it was answered 200."""
    for _ in range(attempts):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(raw.replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r\nConnection: close\r\n", 1))
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            if answer.split(b" ", 2)[1] == b"200":
                return True
        except (OSError, IndexError):
            time.sleep(0.2)
    return False


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
    data_dir: Path, port: int, args: argparse.Namespace
) -> tuple[subprocess.Popen[bytes], str]:
    env = shequn_env(data_dir)
    subprocess.run([str(BIN / "shequn"), "migrate"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True
    )
    key = done.stdout.strip().splitlines()[-1]
    command = [str(BIN / "shequn"), "serve", "--port", str(port), "--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.server:
        command += ["--server", args.server]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def count_rows(data_dir: Path) -> tuple[int, set[str]]:
    stored = inbox_msg_ids(data_dir)
    return len(stored), set(stored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=80000, help="pre-built per server")
    # Peak phases saturate each server (the reference's sync workers reach the same rate at 64 or
    # 256 connections); the paced phase is an offered load that needs only enough connections
    # to carry it.
    parser.add_argument("--concurrency", type=int, default=256, help="wrk connections, peak")
    parser.add_argument(
        "--paced-concurrency", type=int, default=64, help="wrk connections, half-peak phase"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per peak phase")
    parser.add_argument("--open-seconds", type=float, default=10.0, help="paced phase, seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="server threads (0: its default)")
    parser.add_argument("--server", default="", help="shequn serve --server (default: its own)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    args = parser.parse_args(argv)

    wrk = ensure_wrk()
    data_dir = Path(tempfile.mkdtemp(prefix="shequn-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    load = {"wrk": wrk, "threads": args.wrk_threads, "connections": args.concurrency}
    try:
        shequn_port, ref_port = free_port(), free_port()
        shequn, path = start_shequn(data_dir, shequn_port, args)
        procs.append(shequn)
        reference = start_reference(ref_port)
        procs.append(reference)

        peak_requests, _ = build_requests(args.requests, path, seed=1)
        ref_requests, _ = build_requests(args.requests, "/wechat/", seed=2)
        warm_requests, _ = build_requests(min(2000, args.requests), path, seed=3)
        files = data_dir / "requests"
        files.mkdir()

        warm = run_wrk(port=shequn_port, requests=warm_requests, prefix=files / "warm",
                       seconds=1, **load)  # fmt: skip
        ref = run_wrk(port=ref_port, requests=ref_requests, prefix=files / "ref",
                      seconds=args.duration, server_pid=reference.pid, **load)  # fmt: skip
        peak = run_wrk(port=shequn_port, requests=peak_requests, prefix=files / "peak",
                       seconds=args.duration, server_pid=shequn.pid, **load)  # fmt: skip
        rate = max(1.0, peak.rps / 2)
        steady_requests, _ = build_requests(int(rate * args.open_seconds * 1.2) + 10, path, seed=4)
        paced = {**load, "connections": args.paced_concurrency}
        steady = run_wrk(port=shequn_port, requests=steady_requests, prefix=files / "steady",
                         seconds=args.open_seconds, rate=rate, **paced)  # fmt: skip

        # Requests still in flight when wrk stopped may or may not have been answered; WeChat
        # would retry them, and so does the bench. Anything missing beyond that is lost.
        phases = (warm, peak, steady)
        issued = [item for phase in phases for item in phase.issued()]
        raw_by_id = dict(issued)
        in_flight = sum(
            sum(phase.stats["issued"].values()) - phase.stats["requests"] for phase in phases
        )
        time.sleep(0.5)
        _, stored_before = count_rows(data_dir)
        missing_before = sorted(set(raw_by_id) - stored_before)
        unanswered_retries = sum(not resend(shequn_port, raw_by_id[m]) for m in missing_before)
        rows, stored = count_rows(data_dir)
        distinct = set(raw_by_id)
        lost = len(distinct - stored) + max(0, len(missing_before) - in_flight)
        doubled = rows - len(stored) + len(stored - distinct)
        answered_errors = sum(phase.errors for phase in phases)
        report = {
            "shequn_rps": round(peak.rps, 1),
            "reference_rps": round(ref.rps, 1),
            "throughput_ratio": round(peak.rps / max(ref.rps, 1e-9), 2),
            "shequn_p50_ms": peak.ms("p50_us"),
            "shequn_p99_ms": peak.ms("p99_us"),
            "reference_p50_ms": ref.ms("p50_us"),
            "reference_p99_ms": ref.ms("p99_us"),
            "half_peak_rate": round(rate, 1),
            "achieved_rate_at_half_peak": round(steady.rps, 1),
            "p50_ms_at_half_peak": steady.ms("p50_us"),
            "p99_ms_at_half_peak": steady.ms("p99_us"),
            "sent": len(issued) + len(missing_before),
            "distinct": len(distinct),
            "inbox_rows": rows,
            "lost": lost,
            "doubled": doubled,
            "errors": answered_errors,
            "reference_errors": ref.errors,
            "in_flight_at_stop": in_flight,
            "retried_after_stop": len(missing_before),
            "unanswered_retries": unanswered_retries,
            "concurrency": args.concurrency,
            "paced_concurrency": args.paced_concurrency,
            "shequn_cpu_us_per_request": round(peak.server_cpu_us + peak.wrk_cpu_us, 1),
            "shequn_server_cpu_us_per_request": round(peak.server_cpu_us, 1),
            "reference_cpu_us_per_request": round(ref.server_cpu_us + ref.wrk_cpu_us, 1),
            "reference_server_cpu_us_per_request": round(ref.server_cpu_us, 1),
            "cpu_ratio": round(
                (ref.server_cpu_us + ref.wrk_cpu_us)
                / max(peak.server_cpu_us + peak.wrk_cpu_us, 1e-9),
                2,
            ),
        }
        print(
            f"shequn {report['shequn_rps']} req/s (p50 {report['shequn_p50_ms']} ms, p99 "
            f"{report['shequn_p99_ms']} ms); reference {report['reference_rps']} req/s; "
            f"at {report['half_peak_rate']} req/s p99 {report['p99_ms_at_half_peak']} ms; "
            f"rows {rows} for {len(distinct)} distinct; CPU per request (server + wrk) "
            f"{report['shequn_cpu_us_per_request']} µs vs "
            f"{report['reference_cpu_us_per_request']} µs"
        )
        print(json.dumps(report))
        return 0
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
