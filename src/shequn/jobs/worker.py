"""The `shequn worker` process: the database task worker plus the scheduler loop in a thread."""

from __future__ import annotations

import threading

from django.core.management import call_command
from django.db import close_old_connections, connection

from shequn.core.logging import get_logger
from shequn.jobs.schedule import enqueue_due

log = get_logger(__name__)
SCHEDULER_TICK_SECONDS = 5.0


def _scheduler_loop(stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            enqueue_due()
        except Exception:
            log.exception("jobs.schedule.tick_failed")
        stop.wait(SCHEDULER_TICK_SECONDS)
    connection.close()


def run_worker(
    *, queues: str = "*", interval: float = 0.5, batch: bool = False, with_scheduler: bool = True
) -> None:
    stop = threading.Event()
    thread = None
    if with_scheduler and not batch:
        thread = threading.Thread(
            target=_scheduler_loop, args=(stop,), name="scheduler", daemon=True
        )
        thread.start()
    try:
        args = [
            "--queue-name",
            queues,
            "--interval",
            str(interval),
            "--no-startup-delay",
            "--no-reload",
        ]
        if batch:
            args.append("--batch")
        call_command("db_worker", *args)
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=SCHEDULER_TICK_SECONDS + 1)
