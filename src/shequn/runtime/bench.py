"""`shequn bench NAME`: runs bench/NAME.py from a source checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"


def bench(argv: list[str]) -> int:
    available = sorted(p.stem for p in BENCH_DIR.glob("*.py")) if BENCH_DIR.is_dir() else []
    if not argv or argv[0] not in available:
        if not available:
            print("shequn bench: not yet available (no benchmarks have landed).", file=sys.stderr)
            return 3
        print(f"usage: shequn bench {{{','.join(available)}}} [args]", file=sys.stderr)
        return 2
    return subprocess.call([sys.executable, str(BENCH_DIR / f"{argv[0]}.py"), *argv[1:]])
