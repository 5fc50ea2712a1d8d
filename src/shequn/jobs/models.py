"""One row per (periodic job, time slot): the unique key is what makes a slot run exactly once."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class ScheduleSlot(models.Model):
    name = models.CharField(max_length=100)
    slot_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["name", "slot_start"], name="scheduleslot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot_start:%Y-%m-%d %H:%M:%S}"
