"""Secrets at rest: an encrypted model field whose values cannot leak by accident.

Values are Fernet tokens (AES-128-CBC + HMAC) under keys from SHEQUN_ENCRYPTION_KEYS, newest first.
Older keys keep decrypting, so a key is rotated by putting a new one in front and running
`shequn manage rotate_secrets`, which re-encrypts every stored value under the newest key.
In Python the value is a `Secret`, whose repr and str hide it; `.reveal()` is the only way out.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


class SecretDecryptionError(ImproperlyConfigured):
    """A stored secret cannot be decrypted with any configured key (lost or wrong key)."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("SHEQUN_ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SHEQUN_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)"
        ) from exc


def keyring() -> MultiFernet:
    return _fernet(tuple(settings.SHEQUN_ENCRYPTION_KEYS))


def seal(plain: str) -> str:
    return keyring().encrypt(plain.encode()).decode()


def unseal(token: str) -> str:
    try:
        return keyring().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptionError(
            "a stored secret cannot be decrypted with SHEQUN_ENCRYPTION_KEYS; was a key removed?"
        ) from exc


def reseal(token: str) -> str:
    return keyring().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted; reads give a `Secret`."""

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret | None:
        if value is None:
            return None
        return Secret(unseal(value) if value else "")

    def to_python(self, value: Any) -> Secret | None:
        if value is None or isinstance(value, Secret):
            return value
        return Secret(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        plain = value.reveal() if isinstance(value, Secret) else str(value)
        return seal(plain) if plain else ""

    def value_to_string(self, obj: Any) -> str:
        # Serialisation (dumpdata, fixtures) must never write the plaintext.
        return "********"
