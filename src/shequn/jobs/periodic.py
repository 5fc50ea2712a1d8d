"""Built-in housekeeping on the schedule."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shequn.jobs.models import ScheduleSlot
from shequn.jobs.schedule import periodic
from shequn.jobs.tasks import background_task

KEEP_FINISHED = timedelta(days=7)


@periodic("jobs.prune_finished", every=timedelta(hours=1))
@background_task("jobs.prune_finished")
def prune_finished() -> int:
    """Drop finished task results and claimed slots older than a week; the tables stay small."""
    cutoff = timezone.now() - KEEP_FINISHED
    results, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    slots, _ = ScheduleSlot.objects.filter(slot_start__lt=cutoff).delete()
    return results + slots
