"""`shequn serve`: the web process under granian (default), gunicorn, or Django's dev server.

granian (a Rust HTTP server) parses HTTP outside the GIL, which leaves the two cores of a small
host to the callback hot path; gunicorn stays available with `--server gunicorn`.
"""

from __future__ import annotations

import argparse
import os
import sys

SERVERS = ("granian", "gunicorn")
# granian interfaces and the app each one serves; callbacks skip Django in both.
TARGETS = {
    "rsgi": "shequn.ingest.asgi_app:rsgi_application",
    "asgi": "shequn.ingest.asgi_app:application",
    "wsgi": "shequn.config.wsgi:application",
}


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="shequn serve")
    parser.add_argument("--host", default=env("SHEQUN_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("SHEQUN_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(env("SHEQUN_WEB_WORKERS", "2")))
    parser.add_argument(
        "--threads",
        type=int,
        default=int(env("SHEQUN_WEB_THREADS", "0")) or None,
        help="threads per worker for WSGI (default: 8 under granian wsgi, 4 under gunicorn)",
    )
    parser.add_argument("--server", choices=SERVERS, default=env("SHEQUN_WEB_SERVER", "granian"))
    parser.add_argument(
        "--interface", choices=sorted(TARGETS), default=env("SHEQUN_WEB_INTERFACE", "rsgi")
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument("--dev", action="store_true", help="Django's auto-reloading dev server")
    return parser


def serve(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequn.config.settings")
    if args.dev:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shequn", "runserver", f"{args.host}:{args.port}"])
        return 0
    if args.server == "gunicorn":
        return _gunicorn(args)
    return _granian(args)


def _granian(args: argparse.Namespace) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        TARGETS[args.interface],
        address=args.host,
        port=args.port,
        interface=Interfaces(args.interface),
        workers=args.workers,
        # Async interfaces run the app on the event loop (granian allows them one blocking
        # thread); the thread count only sizes the WSGI pool.
        blocking_threads=(args.threads or 8) if args.interface == "wsgi" else None,
        backlog=2048,
        websockets=False,
        log_access=args.access_log,
        respawn_failed_workers=True,
        workers_kill_timeout=10,
    ).serve()
    return 0


def _gunicorn(args: argparse.Namespace) -> int:
    from gunicorn.app.wsgiapp import run  # type: ignore[import-untyped]

    sys.argv = [
        "gunicorn",
        TARGETS["wsgi"],
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads or 4),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "10",
    ]
    if args.access_log:
        sys.argv += ["--access-logfile", "-"]
    run()
    return 0
