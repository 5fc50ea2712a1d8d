"""The demo's story against a real sandbox over HTTP: the clock starts in the past with deadlines
on the wall clock, the backfill waits while the product is behind, goes live once it reaches
today, and a second run resumes instead of starting over."""

from __future__ import annotations

import time
from pathlib import Path

from shequn.runtime.demo_story import MAX_BACKLOG, Story
from tests.ingest.sandbox_support import Sandbox, sandbox_fixture

__all__ = ["sandbox_fixture"]


def _population(sandbox: Sandbox) -> dict[str, object]:
    return sandbox.control("GET", "/population/status")  # type: ignore[no-any-return]


def test_backfill_then_live_then_resume(tmp_path: Path, sandbox: Sandbox) -> None:
    story = Story(tmp_path, [("small-test", sandbox.url)], backfill_days=0.25, live_speed=60)
    story.set_clocks()
    clock = sandbox.control("GET", "/clock")
    assert clock["deadlines"] == "wall"
    assert clock["speed"] == 0
    assert abs(clock["now"] - (time.time() - 6 * 3600)) < 30
    sandbox.control("POST", "/population/load", json={"scenario": "small-test"})

    story.advance(backlog=MAX_BACKLOG)  # the product is behind: nothing is simulated
    assert _population(sandbox)["ticks"] == 0

    for _ in range(10):
        if not story.backfilling():
            break
        story.advance(backlog=0)
    assert not story.backfilling()
    status = _population(sandbox)
    assert status["state"] == "running"
    assert float(status["sim_time"]) >= time.time() - 60  # type: ignore[arg-type]
    assert sandbox.control("GET", "/clock")["speed"] == 60
    story.refresh()
    assert "small-test" in story.progress_line(processed=12, backlog=0)
    assert "live x60" in story.progress_line(processed=12, backlog=0)

    story.pause()
    assert sandbox.control("GET", "/clock")["speed"] == 0
    before = sandbox.control("GET", "/clock")["now"]

    again = Story(tmp_path, [("small-test", sandbox.url)], backfill_days=0.25, live_speed=60)
    again.set_clocks()  # resumes: the clock is not sent back into the past
    assert sandbox.control("GET", "/clock")["now"] >= before
    again.start()
    assert not again.backfilling()
    assert _population(sandbox)["state"] == "running"
    again.pause()
