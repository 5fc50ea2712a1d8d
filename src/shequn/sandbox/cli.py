"""`shequn sandbox` command line: main(["--port", "8765", "--state", "sandbox.sqlite3"])."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from shequn.sandbox.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="shequn sandbox", description="Run the local WeChat sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--state",
        default="sandbox.sqlite3",
        help="SQLite file holding the sandbox state (':memory:' for none)",
    )
    parser.add_argument("--reset", action="store_true", help="start from an empty state")
    args = parser.parse_args(argv)
    state = None if args.state == ":memory:" else args.state
    if args.reset and state:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(state + suffix)
    try:
        serve(args.host, args.port, state)
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        sys.stderr.write(f"sandbox: {exc}\n")
        return 1
    return 0
