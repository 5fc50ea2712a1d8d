from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shequn.jobs.worker import run_worker


class Command(BaseCommand):
    help = "Run background jobs and the periodic schedule (safe to run several at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="comma-separated queues, * for all")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="run what is due, then exit")
        parser.add_argument("--no-scheduler", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        run_worker(
            queues=options["queues"],
            interval=options["interval"],
            batch=options["batch"],
            with_scheduler=not options["no_scheduler"],
        )
