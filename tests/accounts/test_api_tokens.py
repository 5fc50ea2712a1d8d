"""API tokens: only a digest is stored, revoked tokens stop working, use is recorded."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.utils import timezone

from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from tests.conftest import World


def _issue(world: World, *scopes: str) -> tuple[ApiToken, str]:
    with world.a.scope():
        return account_services.issue_api_token("ci", list(scopes or ("read",)), by=world.a.owner)


def test_only_a_digest_is_stored(world: World) -> None:
    token, raw = _issue(world)
    assert raw.startswith("shq_")
    # shq_<workspace uid hex>_<secret>; the last 8 characters are kept to tell tokens apart.
    secret_part = raw[len("shq_") + 33 : -8]
    assert len(secret_part) >= 32
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert raw not in stored
    assert secret_part not in stored
    assert token.digest == account_services.digest(raw)
    assert token.digest in stored


def test_authentication_finds_the_token_and_its_workspace(world: World) -> None:
    token, raw = _issue(world, "read", "write")
    found = account_services.authenticate_api_token(raw)
    assert found == token
    assert found is not None
    assert found.tenant == world.a.workspace
    assert found.scopes == ["read", "write"]


def test_wrong_and_malformed_tokens_are_rejected(world: World) -> None:
    _, raw = _issue(world)
    b_uid = world.b.workspace.uid.hex
    for bad in (
        raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        raw.replace(raw[4:36], b_uid),
        "shq_",
        "shq_zz",
        "",
        raw[4:],
        "Bearer " + raw,
    ):
        assert account_services.authenticate_api_token(bad) is None


def test_revoked_token_is_rejected(world: World) -> None:
    token, raw = _issue(world)
    with world.a.scope():
        account_services.revoke_api_token(token)
    assert account_services.authenticate_api_token(raw) is None


def test_last_used_at_is_updated_at_most_once_a_minute(world: World) -> None:
    token, raw = _issue(world)
    assert token.last_used_at is None
    account_services.authenticate_api_token(raw)
    first = ApiToken.objects.for_tenant(world.a.workspace).get(pk=token.pk).last_used_at
    assert first is not None
    account_services.authenticate_api_token(raw)
    assert ApiToken.objects.for_tenant(world.a.workspace).get(pk=token.pk).last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        account_services.authenticate_api_token(raw)
    later = ApiToken.objects.for_tenant(world.a.workspace).get(pk=token.pk).last_used_at
    assert later is not None
    assert later > first


def test_unknown_scopes_are_refused(world: World) -> None:
    import pytest

    with world.a.scope():
        with pytest.raises(ValueError, match="scopes"):
            account_services.issue_api_token("x", ["root"], by=None)
        with pytest.raises(ValueError, match="scopes"):
            account_services.issue_api_token("x", [], by=None)
