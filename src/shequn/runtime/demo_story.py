"""The demo's story: weeks of history backfilled, then the customers live on, until Ctrl-C.

Each brand's sandbox runs its own clock. On the first run the clock is set three weeks back and
frozen, the population is stepped tick by tick (each tick moves the clock) as fast as the product
keeps up (the ingest and task backlog is watched), and when the simulated date reaches today the
clock runs `LIVE_SPEED` times faster than real time and the population runs on it by itself.

Protocol deadlines (tokens, welcome codes) are measured on the wall clock (`deadlines: "wall"`),
so the product meets them in real seconds whatever date the sandbox pretends it is; transport
stamps (callback timestamps, Pay signatures) are always real time in the sandbox.

The phase of each brand is kept in `<data dir>/demo-progress.json`; the sandbox state file keeps
the clock and the people, so a second run resumes where the first stopped.
"""

from __future__ import annotations

import contextlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BACKFILL_DAYS = 21
LIVE_SPEED = 720.0  # an hour of customers' lives every five seconds
MAX_BACKLOG = 400  # callbacks and tasks waiting in the product before the backfill waits
STEP_TICKS = 4
PROGRESS_FILE = "demo-progress.json"
BEIJING = 8 * 3600


@dataclass
class BrandRun:
    scenario: str
    sandbox_url: str
    phase: str = "new"  # new → backfill → live
    status: dict[str, Any] = field(default_factory=dict)


def _date(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp + BEIJING))


class Story:
    def __init__(
        self,
        data_dir: Path,
        brands: list[tuple[str, str]],
        *,
        backfill_days: float = BACKFILL_DAYS,
        live_speed: float = LIVE_SPEED,
    ) -> None:
        """`brands`: (scenario, sandbox URL) pairs."""
        self.backfill_days = backfill_days
        self.live_speed = live_speed
        self.path = data_dir / PROGRESS_FILE
        saved: dict[str, str] = {}
        if self.path.exists():
            saved = json.loads(self.path.read_text("utf-8"))
        self.runs = [BrandRun(s, url, saved.get(s, "new")) for s, url in brands]
        self.clients = {
            run.scenario: httpx.Client(base_url=run.sandbox_url, timeout=120) for run in self.runs
        }
        self.started = time.monotonic()

    # control helpers -------------------------------------------------------------------------

    def _post(self, run: BrandRun, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.clients[run.scenario].post(f"/sandbox{path}", json=body or {})
        response.raise_for_status()
        return response.json()

    def _save(self) -> None:
        phases = {run.scenario: run.phase for run in self.runs}
        self.path.write_text(json.dumps(phases, indent=2), "utf-8")

    # phases ----------------------------------------------------------------------------------

    def set_clocks(self) -> None:
        """Before the brands connect: a new sandbox starts three weeks ago, frozen."""
        for run in self.runs:
            body: dict[str, Any] = {"speed": 0, "deadlines": "wall"}
            if run.phase == "new":
                body["set"] = time.time() - self.backfill_days * 86400
                run.phase = "backfill"
            self._post(run, "/clock", body)
        self._save()

    def go_live(self, run: BrandRun) -> None:
        self._post(run, "/clock", {"speed": self.live_speed})
        self._post(run, "/population/start")
        run.phase = "live"
        self._save()

    def start(self) -> None:
        """After the brands connected (which loads each population): resume the live ones."""
        for run in self.runs:
            if run.phase == "live":
                self.go_live(run)

    def advance(self, backlog: int) -> None:
        """One step of the backfill for each brand still in the past (when the product keeps up).

        The brands' sandboxes step at the same time; each step delivers its callbacks before it
        answers, so the product's backlog is what holds the backfill back.
        """
        behind = [run for run in self.runs if run.phase == "backfill"]
        if not behind:
            return
        if backlog >= MAX_BACKLOG:
            time.sleep(0.5)
            return
        with ThreadPoolExecutor(max_workers=len(behind)) as pool:
            steps = [
                (run, pool.submit(self._post, run, "/population/step", {"ticks": STEP_TICKS}))
                for run in behind
            ]
        for run, step in steps:
            run.status = step.result()
            if float(run.status.get("sim_time", 0)) >= time.time():
                self.go_live(run)

    def refresh(self) -> None:
        for run in self.runs:
            response = self.clients[run.scenario].get("/sandbox/population/status")
            if response.status_code == 200:
                run.status = response.json()

    def backfilling(self) -> bool:
        return any(run.phase == "backfill" for run in self.runs)

    def progress_line(self, processed: int, backlog: int) -> str:
        parts = []
        for run in self.runs:
            status = run.status
            if not status:
                continue
            label = "backfill" if run.phase == "backfill" else f"live x{int(self.live_speed)}"
            parts.append(
                f"{run.scenario}: {_date(float(status['sim_time']))} ({label}), "
                f"{status['following']}/{status['people']} following"
            )
        elapsed = int(time.monotonic() - self.started)
        return (
            f"[{elapsed // 60:d}:{elapsed % 60:02d}] "
            + " | ".join(parts)
            + f" | events processed {processed}, waiting {backlog}"
        )

    def pause(self) -> None:
        """Freeze every clock so a restart does not jump ahead by the time we were down."""
        for run in self.runs:
            with contextlib.suppress(httpx.HTTPError):
                self._post(run, "/population/pause")
            with contextlib.suppress(httpx.HTTPError):
                self._post(run, "/clock", {"speed": 0})
        for client in self.clients.values():
            client.close()


def product_counts() -> tuple[int, int]:
    """(callbacks processed, callbacks and tasks waiting) over every workspace."""
    from django_tasks_db.models import DBTaskResult

    from shequn.ingest import queries as ingest_queries
    from shequn.tenancy.models import Workspace
    from shequn.tenancy.scope import tenant_scope

    processed = waiting = 0
    for workspace in Workspace.objects.all():
        with tenant_scope(workspace):
            processed += ingest_queries.events(state="processed").count()
            waiting += ingest_queries.events(state="received").count()
    waiting += DBTaskResult.objects.filter(status="READY").count()
    return processed, waiting
