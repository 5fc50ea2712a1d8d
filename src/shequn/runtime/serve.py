"""`shequn serve`: the web process under gunicorn (or Django's dev server with --dev)."""

from __future__ import annotations

import argparse
import os
import sys


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="shequn serve")
    parser.add_argument("--host", default=os.environ.get("SHEQUN_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SHEQUN_PORT", "8000")))
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("SHEQUN_WEB_WORKERS", "2"))
    )
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("SHEQUN_WEB_THREADS", "4"))
    )
    parser.add_argument("--dev", action="store_true", help="Django's auto-reloading dev server")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequn.config.settings")
    if args.dev:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shequn", "runserver", f"{args.host}:{args.port}"])
        return 0
    from gunicorn.app.wsgiapp import run  # type: ignore[import-untyped]

    sys.argv = [
        "gunicorn",
        "shequn.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    run()
    return 0
