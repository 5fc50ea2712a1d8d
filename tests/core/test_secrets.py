"""Secrets at rest: encrypted in the database, hidden in Python, rotatable."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import isolate_apps

from shequn.core import secrets
from shequn.core.management.commands import rotate_secrets
from shequn.core.secrets import EncryptedTextField, Secret, SecretDecryptionError

PLAIN = "wx-app-secret-0123456789abcdef"


@pytest.fixture
def probe(db: None) -> Iterator[type[models.Model]]:
    """A model with an encrypted field on a table made for the test."""
    with isolate_apps("shequn.core"):

        class SecretProbe(models.Model):
            id = models.BigIntegerField(primary_key=True)
            value = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "core"
                db_table = "test_secret_probe"

            def __str__(self) -> str:
                return f"probe {self.pk}"

        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE test_secret_probe (id bigint PRIMARY KEY, value text NULL)"
            )
        yield SecretProbe


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM test_secret_probe WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def _keys(settings: Any, *keys: str) -> None:
    settings.SHEQUN_ENCRYPTION_KEYS = list(keys)


def test_round_trip_and_ciphertext_at_rest(probe: Any) -> None:
    probe.objects.create(id=1, value=PLAIN)
    probe.objects.create(id=2, value=None)
    probe.objects.create(id=3, value="")
    stored = _raw(1)
    assert PLAIN not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    loaded = probe.objects.get(pk=1).value
    assert isinstance(loaded, Secret)
    assert loaded.reveal() == PLAIN
    assert probe.objects.get(pk=2).value is None
    assert probe.objects.get(pk=3).value == Secret("")
    assert _raw(3) == ""


def test_each_write_gets_a_fresh_ciphertext(probe: Any) -> None:
    probe.objects.create(id=1, value=PLAIN)
    probe.objects.create(id=2, value=PLAIN)
    assert _raw(1) != _raw(2)


def test_secret_hides_itself() -> None:
    secret = Secret(PLAIN)
    for shown in (repr(secret), str(secret), f"{secret}", f"{[secret]}"):
        assert PLAIN not in shown
    assert secret.reveal() == PLAIN
    assert EncryptedTextField().value_to_string(object()) == "********"


def test_rotation_new_key_in_front_still_reads_old_values(probe: Any, settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _keys(settings, old)
    probe.objects.create(id=1, value=PLAIN)
    _keys(settings, new, old)
    assert probe.objects.get(pk=1).value.reveal() == PLAIN
    _keys(settings, new)
    with pytest.raises(SecretDecryptionError):
        probe.objects.get(pk=1)


def test_rotate_secrets_command_reencrypts_under_the_newest_key(
    probe: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _keys(settings, old)
    for pk in range(1, 4):
        probe.objects.create(id=pk, value=f"{PLAIN}-{pk}")
    probe.objects.create(id=4, value=None)
    before = _raw(1)
    _keys(settings, new, old)
    field = probe._meta.get_field("value")
    monkeypatch.setattr(rotate_secrets, "models_with_secrets", lambda: [(probe, [field])])
    monkeypatch.setattr(rotate_secrets, "BATCH", 2)  # exercise the batching
    out = io.StringIO()
    call_command("rotate_secrets", stdout=out)
    assert "3 value(s) re-encrypted" in out.getvalue()
    assert _raw(1) != before
    _keys(settings, new)  # the old key is gone: everything must still read
    assert [probe.objects.get(pk=pk).value.reveal() for pk in range(1, 4)] == [
        f"{PLAIN}-{pk}" for pk in range(1, 4)
    ]
    assert probe.objects.get(pk=4).value is None
    assert Fernet(new.encode()).decrypt(_raw(2).encode()).decode() == f"{PLAIN}-2"


def test_misconfigured_keys_fail_clearly(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    _keys(settings, "not-a-fernet-key")
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        secrets.seal("x")
