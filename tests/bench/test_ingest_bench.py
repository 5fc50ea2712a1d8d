"""bench/ingest.py end to end with tiny counts: it runs, reports, and loses or doubles nothing.

Speed is not asserted here (a shared test machine says nothing about it); bench/RESULTS.md is
where the numbers live.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "shequn_rps",
    "reference_rps",
    "throughput_ratio",
    "p99_ms_at_half_peak",
    "sent",
    "lost",
    "doubled",
    "distinct",
    "inbox_rows",
}


@pytest.mark.slow
def test_the_bench_reports_every_key_and_the_inbox_holds_each_message_once() -> None:
    if shutil.which("wrk") is None and os.geteuid() != 0:
        pytest.skip("wrk is not installed and cannot be installed without root")
    done = subprocess.run(  # noqa: S603 - runs the repository's own bench script
        [
            sys.executable,
            str(ROOT / "bench" / "ingest.py"),
            "--requests",
            "600",
            "--duration",
            "1",
            "--open-seconds",
            "1",
            "--concurrency",
            "8",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report) >= KEYS
    assert report["sent"] > 0
    assert report["lost"] == 0
    assert report["doubled"] == 0
    assert report["inbox_rows"] == report["distinct"]
