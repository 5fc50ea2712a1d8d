"""The `shequn` command: one entry point for every process and chore.

shequn demo | serve | worker | sandbox | migrate | createsuperuser | bench | manage ...
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

NOT_YET = 3  # exit code for a subcommand whose feature has not landed yet


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequn.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shequn", *argv])
    return 0


def cmd_migrate(args: argparse.Namespace, rest: list[str]) -> int:
    return _django(["migrate", *rest])


def cmd_createsuperuser(args: argparse.Namespace, rest: list[str]) -> int:
    return _django(["createsuperuser", *rest])


def cmd_manage(args: argparse.Namespace, rest: list[str]) -> int:
    return _django(rest or ["help"])


def cmd_worker(args: argparse.Namespace, rest: list[str]) -> int:
    return _django(["run_worker", *rest])


def cmd_serve(args: argparse.Namespace, rest: list[str]) -> int:
    from shequn.runtime.serve import serve

    return serve(rest)


def cmd_demo(args: argparse.Namespace, rest: list[str]) -> int:
    from shequn.runtime.demo import demo

    return demo(rest)


def cmd_sandbox(args: argparse.Namespace, rest: list[str]) -> int:
    try:
        from shequn.sandbox.cli import main as sandbox_main
    except ImportError:
        print(
            "shequn sandbox: not yet available (the WeChat sandbox has not landed).",
            file=sys.stderr,
        )
        return NOT_YET
    return sandbox_main(rest)


def cmd_bench(args: argparse.Namespace, rest: list[str]) -> int:
    from shequn.runtime.bench import bench

    return bench(rest)


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, list[str]], int], str]] = {
    "demo": (cmd_demo, "set up and run the demo: sandbox, console, worker and sample workspaces"),
    "serve": (cmd_serve, "run the web process (console, API, callbacks)"),
    "worker": (cmd_worker, "run background jobs and the periodic schedule"),
    "sandbox": (cmd_sandbox, "run the local WeChat sandbox"),
    "migrate": (cmd_migrate, "create or update the database tables"),
    "createsuperuser": (cmd_createsuperuser, "create an administrator account"),
    "bench": (cmd_bench, "run a benchmark from bench/"),
    "manage": (cmd_manage, "any Django management command"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="shequn", description="Shequn: WeChat private-domain platform"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handler = COMMANDS[args.command][0]
    return handler(args, rest)


if __name__ == "__main__":
    sys.exit(main())
