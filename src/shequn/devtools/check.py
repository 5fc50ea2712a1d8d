"""Every quality gate, in order: what `./dev test` and CI run.

    python -m shequn.devtools.check            all gates
    python -m shequn.devtools.check --fast     skip PostgreSQL and browser tests
    python -m shequn.devtools.check --only mypy --only pytest

Gates that need a local service (PostgreSQL, Redis, chromium) are skipped with a message when the
service is missing, except under CI=true, where a missing service fails the run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/shequn"
REDIS_URL = "redis://127.0.0.1:6379/15"
PYTEST_WORKERS = "2"


@dataclass
class Outcome:
    name: str
    status: str  # passed | failed | skipped
    seconds: float = 0.0
    note: str = ""
    closing_line: str = ""


@dataclass
class Gate:
    name: str
    command: Callable[[], list[str]]
    env: Callable[[], dict[str, str]] = field(default=dict)
    needs: Callable[[], str | None] = field(default=lambda: None)  # reason it cannot run
    slow: bool = False  # skipped by --fast
    pytest: bool = False


def _tool(name: str) -> str:
    candidate = BIN / name
    return str(candidate) if candidate.exists() else name


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def _postgres_missing() -> str | None:
    url = os.environ.get("SHEQUN_TEST_POSTGRES_URL", POSTGRES_URL)
    if _reachable(url, 5432):
        return None
    return f"PostgreSQL is not reachable at {url} (start it, or run with --fast)"


def _redis_missing() -> str | None:
    if _reachable(REDIS_URL, 6379):
        return None
    return f"Redis is not reachable at {REDIS_URL}"


def _chromium_missing() -> str | None:
    if any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")):
        return None
    return "chromium is not installed (apt-get install chromium)"


_DATA_DIR = tempfile.mkdtemp(prefix="shequn-check-")


def _django_env() -> dict[str, str]:
    # A throwaway data dir: the gates must not read or write a developer's real database.
    return {
        "SHEQUN_ENV": "test",
        "SHEQUN_DATA_DIR": _DATA_DIR,
        "DJANGO_SETTINGS_MODULE": "shequn.config.settings",
        "DATABASE_URL": f"sqlite:///{_DATA_DIR}/check.sqlite3",
    }


def _pytest(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]


def _postgres_env() -> dict[str, str]:
    return {
        **_django_env(),
        "DATABASE_URL": os.environ.get("SHEQUN_TEST_POSTGRES_URL", POSTGRES_URL),
    }


GATES: list[Gate] = [
    Gate("ruff-check", lambda: [_tool("ruff"), "check", "src", "tests"]),
    Gate("ruff-format", lambda: [_tool("ruff"), "format", "--check", "src", "tests"]),
    Gate("mypy", lambda: [_tool("mypy"), "src", "tests"], env=_django_env),
    Gate("lint-imports", lambda: [_tool("lint-imports")]),
    Gate("boundaries", lambda: [sys.executable, "-m", "shequn.devtools.boundaries"]),
    Gate("django-check", lambda: [sys.executable, "-m", "django", "check"], env=_django_env),
    Gate(
        "migrations",
        lambda: [sys.executable, "-m", "django", "makemigrations", "--check", "--dry-run"],
        env=_django_env,
    ),
    Gate(
        "pytest",
        lambda: _pytest("-n", PYTEST_WORKERS, "-m", "not browser and not redis"),
        env=_django_env,
        pytest=True,
    ),
    Gate(
        "pytest-redis",
        lambda: _pytest("-m", "redis"),
        env=lambda: {**_django_env(), "REDIS_URL": REDIS_URL},
        needs=_redis_missing,
        pytest=True,
    ),
    Gate(
        "pytest-postgres",
        lambda: _pytest("-n", PYTEST_WORKERS, "-m", "not browser and not redis"),
        env=_postgres_env,
        needs=_postgres_missing,
        slow=True,
        pytest=True,
    ),
    Gate(
        "pytest-browser",
        lambda: _pytest("-m", "browser"),
        env=_django_env,
        needs=_chromium_missing,
        slow=True,
        pytest=True,
    ),
]


def _closing_line(lines: list[str]) -> str:
    for line in reversed(lines):
        stripped = line.strip()
        if stripped.startswith("=") and (" in " in stripped or "no tests ran" in stripped):
            return stripped
    return ""


def run_gate(gate: Gate, *, ci: bool) -> Outcome:
    missing = gate.needs()
    if missing:
        if ci:
            print(f"FAIL: {missing}; under CI=true this gate must run.", flush=True)
            return Outcome(gate.name, "failed", note=missing)
        print(f"SKIP: {missing}", flush=True)
        return Outcome(gate.name, "skipped", note=missing)
    command = gate.command()
    env = {**os.environ, **gate.env()}
    print("$ " + " ".join(command), flush=True)
    started = time.monotonic()
    lines: list[str] = []
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    for line in process.stdout or ():
        sys.stdout.write(line)
        lines.append(line)
    sys.stdout.flush()
    code = process.wait()
    seconds = time.monotonic() - started
    closing = _closing_line(lines) if gate.pytest else ""
    # pytest exits 5 when the marker selects no tests: nothing to fail.
    if gate.pytest and code == 5:
        return Outcome(gate.name, "skipped", seconds, "no tests selected", closing)
    status = "passed" if code == 0 else "failed"
    return Outcome(gate.name, status, seconds, "" if code == 0 else f"exit {code}", closing)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m shequn.devtools.check",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--fast", action="store_true", help="skip PostgreSQL and browser tests")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this gate (repeatable): " + ", ".join(g.name for g in GATES),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ci = os.environ.get("CI", "").lower() == "true"
    wanted = {name for item in args.only for name in item.split(",") if name}
    unknown = wanted - {g.name for g in GATES}
    if unknown:
        print(f"unknown gate(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    outcomes: list[Outcome] = []
    started = time.monotonic()
    for gate in GATES:
        if wanted and gate.name not in wanted:
            continue
        print(f"\n==> {gate.name}", flush=True)
        if args.fast and gate.slow and not wanted:
            outcome = Outcome(gate.name, "skipped", note="--fast")
            print("SKIP: --fast", flush=True)
        else:
            outcome = run_gate(gate, ci=ci)
        print(f"<== {gate.name}: {outcome.status.upper()} ({outcome.seconds:.1f}s)", flush=True)
        outcomes.append(outcome)
    shutil.rmtree(_DATA_DIR, ignore_errors=True)
    failed = [o for o in outcomes if o.status == "failed"]
    print("\n==> summary")
    for o in outcomes:
        extra = f" - {o.note}" if o.note else ""
        print(f"  {o.status.upper():8} {o.name:16} {o.seconds:6.1f}s{extra}")
    verdict = "FAILED" if failed else "PASSED"
    print(
        f"  {verdict}: {len(failed)} of {len(outcomes)} gates failed "
        f"in {time.monotonic() - started:.0f}s"
    )
    totals = _test_totals([o.closing_line for o in outcomes if o.closing_line])
    if totals is not None:
        # The very last line adds up every pytest run (SQLite, Redis, PostgreSQL, browser).
        passed, failed_tests, skipped = totals
        print(f"tests: {passed} passed, {failed_tests} failed, {skipped} skipped")
    return 1 if failed else 0


def _test_totals(closing_lines: list[str]) -> tuple[int, int, int] | None:
    if not closing_lines:
        return None
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for line in closing_lines:
        for number, word in re.findall(r"(\d+) (passed|failed|errors?|skipped)", line):
            counts["error" if word.startswith("error") else word] += int(number)
    return counts["passed"], counts["failed"] + counts["error"], counts["skipped"]


if __name__ == "__main__":
    sys.exit(main())
