"""bench/segments.py on a tiny population: the JSON keys are there and both paths agree."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def test_segment_benchmark_smoke() -> None:
    if not _postgres_up():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required on CI")
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    done = subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [sys.executable, str(ROOT / "bench" / "segments.py"), "--contacts", "20000", "--runs", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("contacts", "count_ms", "ids_ms", "sql_count_ms", "speedup_vs_sql", "rss_mb"):
        assert key in result
    assert result["contacts"] == 20000
    assert result["members"] == result["sql_count"]
    assert result["members"] > 0
    assert result["counts_equal"] is True
