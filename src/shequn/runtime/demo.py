"""`shequn demo`: migrate the embedded database, seed the demo, run every process until Ctrl-C.

Processes: the web process, a worker, and one WeChat sandbox per demo brand. The two brands'
official accounts and WeCom corps are connected to their sandboxes exactly as an operator would
connect real WeChat; each sandbox holds its brand's simulated customers, who first live through
three weeks of history as fast as the product keeps up, then on, an hour every five seconds
(`demo_story.py`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BRANDS = [("sakura-cosmetics", "demo-cosmetics"), ("hoshi-baby", "demo-baby")]
PROGRESS_SECONDS = 5.0
FOLLOWER_SYNC_SECONDS = 120.0


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_port(port: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _free(port):
            return True
        time.sleep(0.2)
    return False


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="shequn demo")
    parser.add_argument(
        "--fresh", action="store_true", help="delete the demo's data and start afresh"
    )
    parser.add_argument("--port", type=int, default=8000, help="console port (default 8000)")
    parser.add_argument(
        "--sandbox-port", type=int, default=8100, help="first sandbox port (one per brand)"
    )
    parser.add_argument(
        "--backfill-days",
        type=float,
        default=None,
        help="days of history the customers live through first (default 21; a new demo only)",
    )
    args = parser.parse_args(argv)

    data_dir = Path(os.environ.setdefault("SHEQUN_DATA_DIR", str(Path.cwd() / "var"))).resolve()
    if args.fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    console_url = f"http://127.0.0.1:{args.port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequn.config.settings")
    os.environ.setdefault("SHEQUN_BASE_URL", console_url)

    sandbox_ports = [args.sandbox_port + i for i in range(len(BRANDS))]
    for port in (args.port, *sandbox_ports):
        if not _free(port):
            print(
                f"Port {port} is in use; stop what runs there or pass another port.",
                file=sys.stderr,
            )
            return 1

    import django

    django.setup()
    from django.core.management import call_command

    from shequn.runtime.demo_seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
    from shequn.runtime.demo_world import Brand, connect_brand

    call_command("migrate", verbosity=0)
    workspaces = seed_demo()

    shequn = [sys.executable, "-m", "shequn.cli"]
    env = dict(os.environ)
    log_dir = data_dir / "logs"
    log_dir.mkdir(exist_ok=True)

    def start(name: str, *command: str) -> subprocess.Popen[bytes]:
        # Each process writes to its own log file, so the terminal shows the demo's progress.
        log = (log_dir / f"{name}.log").open("ab")
        return subprocess.Popen([*shequn, *command], env=env, stdout=log, stderr=subprocess.STDOUT)

    procs: list[subprocess.Popen[bytes]] = [
        start("web", "serve", "--port", str(args.port), "--workers", "2"),
        start("worker", "worker"),
    ]
    for (_, scenario), port in zip(BRANDS, sandbox_ports, strict=True):
        state = data_dir / f"sandbox-{scenario}.sqlite3"
        procs.append(
            start(f"sandbox-{scenario}", "sandbox", "--port", str(port), "--state", str(state))
        )

    if not all(_wait_port(port) for port in (args.port, *sandbox_ports)):
        print(f"A process did not start; see the logs in {log_dir}.", file=sys.stderr)
        _stop(procs)
        return 1
    from shequn.runtime.demo_campaigns import sync_followers
    from shequn.runtime.demo_story import BACKFILL_DAYS, Story, product_counts

    backfill_days = BACKFILL_DAYS if args.backfill_days is None else args.backfill_days

    story = Story(
        data_dir,
        [
            (scenario, f"http://127.0.0.1:{port}")
            for (_, scenario), port in zip(BRANDS, sandbox_ports, strict=True)
        ],
        backfill_days=backfill_days,
    )
    try:
        story.set_clocks()
        for (slug, scenario), port in zip(BRANDS, sandbox_ports, strict=True):
            brand = Brand(slug, scenario, f"http://127.0.0.1:{port}")
            connect_brand(brand, console_url, campaigns=True)
        story.start()
    except Exception as exc:  # noqa: BLE001 - any failure here is shown, then everything stops
        print(f"Connecting the demo brands to their sandboxes failed: {exc}", file=sys.stderr)
        story.pause()
        _stop(procs)
        return 1

    print("\n" + "=" * 76)
    print(f"  Shequn demo is running: {console_url}/")
    for spec in DEMO_USERS:
        print(f"  sign in as {spec.email:<28} password {DEMO_PASSWORD}   ({spec.language})")
    for ws, port in zip(workspaces, sandbox_ports, strict=True):
        print(f"  {ws.name}: act as one of its customers at http://127.0.0.1:{port}/phone/")
    print(
        f"  The customers first live through {backfill_days:g} days of history (as fast as the"
        " product keeps up), then on: an hour every 5 s. Answers from the inbox reach them once"
        " they are live (WeChat's 48-hour window)."
    )
    print(f"  Logs of every process: {log_dir}")
    print("  Press Ctrl-C to stop every process; run again to resume, --fresh to start over.")
    print("=" * 76 + "\n", flush=True)

    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    last_line = 0.0
    last_sync = time.monotonic()
    while not stopping and all(p.poll() is None for p in procs):
        try:
            processed, backlog = product_counts()
            if story.backfilling():
                story.advance(backlog)
            else:
                time.sleep(0.5)
            if time.monotonic() - last_sync >= FOLLOWER_SYNC_SECONDS:
                last_sync = time.monotonic()
                sync_followers()
            if time.monotonic() - last_line >= PROGRESS_SECONDS:
                last_line = time.monotonic()
                story.refresh()
                print(story.progress_line(processed, backlog), flush=True)
        except Exception as exc:  # noqa: BLE001 - a hiccup of one step must not end the demo
            print(f"demo: {exc.__class__.__name__}: {exc}", file=sys.stderr, flush=True)
            time.sleep(1.0)
    story.pause()
    _stop(procs)
    return 0


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
