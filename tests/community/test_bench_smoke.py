"""bench/routing.py on a small stream: the JSON line is last, nothing is over capacity and the
allocation places every joiner exactly where the reference scan does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_routing_benchmark_smoke() -> None:
    done = subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [
            sys.executable,
            str(ROOT / "bench" / "routing.py"),
            "--joiners",
            "20000",
            "--capacity",
            "50",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["joiners"] == 20000
    assert result["over_capacity"] == 0
    assert result["same_placement"] is True
    assert result["joins_per_s"] > 0
