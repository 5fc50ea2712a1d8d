"""The periodic schedule, declared in code; several workers enqueue each slot exactly once.

    @periodic("jobs.prune_task_results", every=timedelta(hours=1))
    @background_task("jobs.prune_task_results")
    def prune_task_results() -> None: ...

Each worker's scheduler loop calls `enqueue_due()`. A slot is claimed by inserting
(name, slot_start) under a unique constraint: the one insert that succeeds enqueues the task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from shequn.core.logging import get_logger
from shequn.jobs.models import ScheduleSlot

log = get_logger(__name__)


@dataclass(frozen=True)
class Entry:
    name: str
    every: timedelta
    task: Task[Any, Any]

    def slot_start(self, now: datetime) -> datetime:
        epoch = datetime(2000, 1, 1, tzinfo=now.tzinfo)
        slots = (now - epoch) // self.every
        return epoch + slots * self.every


SCHEDULE: dict[str, Entry] = {}


def periodic(name: str, *, every: timedelta) -> Callable[[Task[Any, Any]], Task[Any, Any]]:
    if every < timedelta(seconds=10):
        raise ValueError("periodic jobs run at most every 10 seconds")

    def register(task_obj: Task[Any, Any]) -> Task[Any, Any]:
        if name in SCHEDULE:
            raise ValueError(f"periodic job {name!r} declared twice")
        SCHEDULE[name] = Entry(name=name, every=every, task=task_obj)
        return task_obj

    return register


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Claim and enqueue every entry whose current slot has not run; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for entry in SCHEDULE.values():
        slot = entry.slot_start(now)
        try:
            with transaction.atomic():
                ScheduleSlot.objects.create(name=entry.name, slot_start=slot)
                entry.task.enqueue()
        except IntegrityError:
            continue  # another worker claimed this slot
        log.info("jobs.schedule.enqueued", job=entry.name, slot=slot.isoformat())
        enqueued.append(entry.name)
    return enqueued
