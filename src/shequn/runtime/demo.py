"""`shequn demo`: migrate the embedded database, seed the demo, run every process until Ctrl-C."""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_http(port: int, timeout: float = 30.0) -> bool:
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
    parser.add_argument("--sandbox-port", type=int, default=8100)
    args = parser.parse_args(argv)

    data_dir = Path(os.environ.setdefault("SHEQUN_DATA_DIR", str(Path.cwd() / "var"))).resolve()
    if args.fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequn.config.settings")
    os.environ.setdefault("SHEQUN_BASE_URL", f"http://127.0.0.1:{args.port}")

    import django

    django.setup()
    from django.core.management import call_command

    from shequn.runtime.demo_seed import DEMO_PASSWORD, DEMO_USERS, seed_demo

    call_command("migrate", verbosity=0)
    workspaces = seed_demo()

    for port in (args.port, args.sandbox_port):
        if not _free(port):
            print(
                f"Port {port} is in use; stop what runs there or pass another port.",
                file=sys.stderr,
            )
            return 1

    shequn = [sys.executable, "-m", "shequn.cli"]
    procs: list[subprocess.Popen[bytes]] = []
    env = dict(os.environ)
    procs.append(
        subprocess.Popen([*shequn, "serve", "--port", str(args.port), "--workers", "2"], env=env)
    )
    procs.append(subprocess.Popen([*shequn, "worker"], env=env))
    sandbox_note = ""
    if importlib.util.find_spec("shequn.sandbox.cli") is None:
        sandbox_note = "The WeChat sandbox is not available in this build."
    else:
        procs.append(
            subprocess.Popen(
                [
                    *shequn,
                    "sandbox",
                    "--port",
                    str(args.sandbox_port),
                    "--state",
                    str(data_dir / "sandbox.sqlite3"),
                ],
                env=env,
            )
        )

    if not _wait_http(args.port):
        print("The console did not start; see the messages above.", file=sys.stderr)
        _stop(procs)
        return 1
    url = f"http://127.0.0.1:{args.port}/"
    print("\n" + "=" * 72)
    print(f"  Shequn demo is running: {url}")
    for spec in DEMO_USERS:
        print(f"  sign in as {spec.email:<28} password {DEMO_PASSWORD}   ({spec.language})")
    print(f"  workspaces: {', '.join(ws.name for ws in workspaces)}")
    if sandbox_note:
        print(f"  {sandbox_note}")
    else:
        print(f"  WeChat sandbox: http://127.0.0.1:{args.sandbox_port}/")
    print("  Simulated customers are not part of this build yet.")
    print("  Press Ctrl-C to stop every process; run again to resume, --fresh to start over.")
    print("=" * 72 + "\n", flush=True)

    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stopping and all(p.poll() is None for p in procs):
        time.sleep(0.5)
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
