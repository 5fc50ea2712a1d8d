"""Settings: a development secret key is generated once and kept; production never invents one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def _run(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("SHEQUN_") and k != "DATABASE_URL"
    }
    env.update(DJANGO_SETTINGS_MODULE="shequn.config.settings", SHEQUN_DATA_DIR=str(tmp_path))
    env.update(extra)
    return subprocess.run(  # noqa: S603 - runs this interpreter on fixed code
        [sys.executable, "-c", PRINT_KEY], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_secret_key_is_generated_once_and_kept_in_the_data_dir(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    kept = tmp_path / "secret_key"
    assert kept.read_text().strip() == key
    assert kept.stat().st_mode & 0o077 == 0  # readable by the owner only
    again = _run(tmp_path)
    assert again.stdout.strip() == key


@pytest.mark.slow
def test_production_without_a_secret_key_fails_with_a_clear_message(tmp_path: Path) -> None:
    result = _run(tmp_path, SHEQUN_ENV="production")
    assert result.returncode != 0
    assert "SHEQUN_SECRET_KEY must be set when SHEQUN_ENV=production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.slow
def test_environment_key_wins(tmp_path: Path) -> None:
    result = _run(tmp_path, SHEQUN_SECRET_KEY="k" * 60)
    assert result.stdout.strip() == "k" * 60
