"""Several worker processes, each with several threads, enqueue a slot exactly once.

Real concurrent connections need a database the test transaction does not own: a file SQLite
database in a temporary directory, shared by separate processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLAIM = """
import json, threading, django
django.setup()
from datetime import datetime, timezone
from django.db import connection
from shequn.jobs.schedule import enqueue_due
now = datetime(2031, 5, 17, 8, 30, 7, tzinfo=timezone.utc)
barrier = threading.Barrier(3)
claimed = []
def run():
    barrier.wait()
    try:
        claimed.extend(enqueue_due(now))
    finally:
        connection.close()
threads = [threading.Thread(target=run) for _ in range(3)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps(claimed))
"""

COUNT = """
import json, django
django.setup()
from django_tasks_db.models import DBTaskResult
from shequn.jobs.models import ScheduleSlot
from shequn.jobs.schedule import SCHEDULE
print(json.dumps({
    "entries": sorted(SCHEDULE),
    "slots": sorted(ScheduleSlot.objects.values_list("name", flat=True)),
    "tasks": DBTaskResult.objects.count(),
}))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="shequn.config.settings",
        SHEQUN_DATA_DIR=str(tmp_path),
        SHEQUN_ENV="test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'schedule.sqlite3'}",
    )
    return env


@pytest.mark.slow
def test_each_slot_is_enqueued_once_across_processes_and_threads(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True, timeout=180
    )
    workers = [
        subprocess.Popen(  # noqa: S603 - runs this interpreter on fixed code
            [sys.executable, "-c", CLAIM], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    claimed: list[str] = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        claimed.extend(json.loads(out.strip().splitlines()[-1]))
    result = subprocess.run(  # noqa: S603 - runs this interpreter on fixed code
        [sys.executable, "-c", COUNT],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["entries"]
    assert sorted(claimed) == counts["entries"]  # every job claimed once, by one thread
    assert counts["slots"] == counts["entries"]
    assert counts["tasks"] == len(counts["entries"])
