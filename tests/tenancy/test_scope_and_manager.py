"""The tenant scope fails closed: no scope, no rows; a row never moves between tenants."""

from __future__ import annotations

import pytest
from django.http import Http404

from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from shequn.audit.models import AuditEvent
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.scope import TenantScopeError, current_tenant, tenant_scope
from tests.conftest import World


def _token(tenant_scope_cm: object, name: str) -> ApiToken:
    with tenant_scope_cm:  # type: ignore[attr-defined]
        token, _ = account_services.issue_api_token(name, ["read"], by=None)
    return token


def test_manager_raises_without_a_scope(world: World) -> None:
    assert current_tenant() is None
    with pytest.raises(TenantScopeError):
        AuditEvent.objects.all()
    with pytest.raises(TenantScopeError):
        ApiToken.objects.filter(name="x")
    with pytest.raises(TenantScopeError):
        ApiToken.objects.create(name="x", prefix="x", digest="x", scopes=["read"])


def test_scope_filters_for_tenant_selects_and_unscoped_sees_all(world: World) -> None:
    a_token = _token(world.a.scope(), "sakura-token")
    b_token = _token(world.b.scope(), "longjing-token")
    with world.a.scope():
        assert list(ApiToken.objects.values_list("name", flat=True)) == ["sakura-token"]
    with world.b.scope():
        assert list(ApiToken.objects.values_list("name", flat=True)) == ["longjing-token"]
    assert list(ApiToken.objects.for_tenant(world.a.workspace)) == [a_token]
    everyone = ApiToken.objects.unscoped()  # unscoped: the test compares against all tenants
    assert set(everyone) == {a_token, b_token}


def test_scope_is_restored_after_the_block(world: World) -> None:
    with tenant_scope(world.a.workspace):
        with tenant_scope(world.b.workspace):
            assert current_tenant() == world.b.workspace
        assert current_tenant() == world.a.workspace
    assert current_tenant() is None


def test_saving_in_another_tenants_scope_raises(world: World) -> None:
    token = _token(world.a.scope(), "sakura-token")
    token.name = "hijacked"
    with world.b.scope(), pytest.raises(TenantScopeError):
        token.save()
    with pytest.raises(TenantScopeError):
        token.save()  # and without any scope
    with world.a.scope():
        assert ApiToken.objects.get(pk=token.pk).name == "sakura-token"


def test_new_rows_take_the_scope_tenant(world: World) -> None:
    token = _token(world.b.scope(), "longjing-token")
    assert token.tenant_id == world.b.workspace.pk


def test_access_by_uid_gives_the_same_404_for_missing_and_foreign(world: World) -> None:
    a_token = _token(world.a.scope(), "sakura-token")
    b_token = _token(world.b.scope(), "longjing-token")
    with world.a.scope():
        assert access_by_uid(ApiToken, a_token.uid) == a_token
        assert access_by_uid(ApiToken, str(a_token.uid)) == a_token
        for uid in (b_token.uid, "00000000-0000-7000-8000-000000000000", "not-a-uuid", ""):
            with pytest.raises(Http404):
                access_by_uid(ApiToken, uid)
        with pytest.raises(Http404):
            access_by_uid(ApiToken, a_token.uid, revoked_at__isnull=False)
    with pytest.raises(TenantScopeError):
        access_by_uid(ApiToken, a_token.uid)
