"""Settings → API tokens: the raw token is shown once; list, revoke, audit."""

from __future__ import annotations

from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from shequn.audit.models import AuditEvent

TOKENS = "/w/sakura/settings/tokens/"


def test_issue_shows_the_token_once(world, client_for) -> None:
    client = client_for(world.a.owner)
    response = client.post(TOKENS, {"name": "CRM sync", "scopes": ["read", "write"]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = response.content.decode()
    token = ApiToken.objects.for_tenant(world.a.workspace).get()
    raw = html.split('id="new-token" class="mono" type="text" value="')[1].split('"')[0]
    assert raw.startswith("shq_")
    assert raw.endswith(token.prefix)
    assert token.scopes == ["read", "write"]

    again = client.get(TOKENS).content.decode()
    assert raw not in again
    assert f"…{token.prefix}" in again
    assert "CRM sync" in again
    assert "Never" in again
    # The token shown is the one that works, and its use shows on the list.
    assert account_services.authenticate_api_token(raw) == token
    assert "Never" not in client.get(TOKENS).content.decode()
    events = AuditEvent.objects.for_tenant(world.a.workspace).filter(action="api_token.issued")
    assert events.get().actor_label == world.a.owner.email


def test_issue_needs_a_name_and_a_scope(world, client_for) -> None:
    response = client_for(world.a.owner).post(TOKENS, {"name": "x"})
    assert response.status_code == 400
    assert b"Choose at least one scope." in response.content
    assert not ApiToken.objects.for_tenant(world.a.workspace).exists()


def test_revoke(world, client_for) -> None:
    client = client_for(world.a.owner)
    client.post(TOKENS, {"name": "old", "scopes": ["read"]})
    token = ApiToken.objects.for_tenant(world.a.workspace).get()
    response = client.post(f"{TOKENS}{token.uid}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get(TOKENS).content.decode()
    assert (
        AuditEvent.objects.for_tenant(world.a.workspace).filter(action="api_token.revoked").exists()
    )


def test_other_tenant_cannot_revoke(world, client_for) -> None:
    client_for(world.a.owner).post(TOKENS, {"name": "a-only", "scopes": ["read"]})
    token = ApiToken.objects.for_tenant(world.a.workspace).get()
    response = client_for(world.b.owner).post(f"/w/longjing/settings/tokens/{token.uid}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_operator_cannot_issue(world, client_for) -> None:
    response = client_for(world.a.operator).post(TOKENS, {"name": "x", "scopes": ["read"]})
    assert response.status_code == 403
    assert not ApiToken.objects.for_tenant(world.a.workspace).exists()
