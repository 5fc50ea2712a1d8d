"""Reading settings from the environment, with the data directory as the home of generated state."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def data_dir() -> Path:
    """Where the embedded database, the generated secret key and uploads live."""
    path = Path(env_str("SHEQUN_DATA_DIR") or (Path.cwd() / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def kept_secret(name: str, path: Path, make: Callable[[], str], *, production: bool) -> str:
    """A secret from the environment, or (outside production) one generated once and kept on disk.

    Production refuses to invent secrets: a restart must never silently change the key that
    signs sessions or decrypts stored app secrets.
    """
    value = env_str(name)
    if value:
        return value
    if production:
        raise ConfigurationError(f"{name} must be set when SHEQUN_ENV=production")
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.touch(mode=0o600)
    path.write_text(value + "\n")
    return value


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)
