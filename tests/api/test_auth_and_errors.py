"""Token authentication, scopes, and the one error format for every failure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from tests.api.conftest import ApiClient, IssueToken, assert_error
from tests.conftest import World


def test_openapi_document_is_served_without_auth_and_no_cdn_docs_page(db: None) -> None:
    client = Client()
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Shequn API"
    for path in (
        "/api/v1/workspace",
        "/api/v1/members",
        "/api/v1/audit-events",
        "/api/v1/tokens",
        "/api/v1/tokens/{uid}/revoke",
    ):
        assert path in schema["paths"]
    assert_error(client.get("/api/v1/docs"), 404, "not_found")


def test_missing_or_malformed_token_is_401_with_bearer_challenge(world: World) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic eDp5"}):
        response = Client().get("/api/v1/workspace", headers=headers)
        assert_error(response, 401, "unauthenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_rejected(world: World, issue_token: IssueToken) -> None:
    token, raw = issue_token(world.a, "read")
    assert ApiClient(raw).get("/workspace").status_code == 200
    with world.a.scope():
        account_services.revoke_api_token(token)
    assert_error(ApiClient(raw).get("/workspace"), 401, "unauthenticated")


def test_workspace_is_the_tokens_own_and_shows_public_ids_only(
    world: World, api_as: Callable[..., ApiClient]
) -> None:
    body = api_as(world.b, "read").get("/workspace").json()
    ws = world.b.workspace
    assert body["uid"] == str(ws.uid)
    assert body["slug"] == "longjing"
    assert "id" not in body
    assert str(world.a.workspace.uid) not in str(body)


@pytest.mark.parametrize(
    ("scopes", "method", "path", "needed"),
    [
        (("read",), "POST", "/tokens", "admin"),
        (("read",), "GET", "/members", "admin"),
        (("write",), "GET", "/tokens", "admin"),
        (("read", "write"), "GET", "/members", "admin"),
    ],
)
def test_scopes_are_enforced(
    world: World,
    api_as: Callable[..., ApiClient],
    scopes: tuple[str, ...],
    method: str,
    path: str,
    needed: str,
) -> None:
    client = api_as(world.a, *scopes)
    response = (
        client.post(path, {"name": "x", "scopes": ["read"]})
        if method == "POST"
        else client.get(path)
    )
    error = assert_error(response, 403, "insufficient_scope")
    assert error["details"]["required_scope"] == needed


def test_admin_scope_includes_read_and_write(
    world: World, api_as: Callable[..., ApiClient]
) -> None:
    client = api_as(world.a, "admin")
    assert client.get("/workspace").status_code == 200
    assert client.get("/audit-events").status_code == 200
    assert client.post("/tokens", {"name": "deploy", "scopes": ["read"]}).status_code == 201


def test_unknown_path_is_json_404(world: World, admin_a: ApiClient) -> None:
    assert_error(admin_a.get("/no-such-thing"), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(world: World, admin_a: ApiClient) -> None:
    response = admin_a.request("DELETE", "/workspace")
    error = assert_error(response, 405, "method_not_allowed")
    assert error["details"]["allowed"] == ["GET"]
    assert response["Allow"] == "GET"


def test_other_tenants_token_is_404_like_a_missing_one(
    world: World, issue_token: IssueToken, admin_a: ApiClient
) -> None:
    b_token, _ = issue_token(world.b, "read")
    assert_error(admin_a.post(f"/tokens/{b_token.uid}/revoke"), 404, "not_found")
    assert_error(
        admin_a.post("/tokens/00000000-0000-7000-8000-000000000000/revoke"), 404, "not_found"
    )
    assert_error(admin_a.post("/tokens/not-a-uuid/revoke"), 404, "not_found")
    assert ApiToken.objects.for_tenant(world.b.workspace).get(pk=b_token.pk).revoked_at is None


def test_revoking_twice_is_409(world: World, issue_token: IssueToken, admin_a: ApiClient) -> None:
    token, _ = issue_token(world.a, "read")
    assert admin_a.post(f"/tokens/{token.uid}/revoke").json()["revoked_at"] is not None
    assert_error(admin_a.post(f"/tokens/{token.uid}/revoke"), 409, "already_revoked")


def test_validation_errors_name_the_fields(world: World, admin_a: ApiClient) -> None:
    error = assert_error(
        admin_a.post("/tokens", {"name": "", "scopes": ["root"]}), 422, "validation_error"
    )
    fields = {(f["location"], f["field"].split(".")[0]) for f in error["details"]["fields"]}
    assert ("body", "name") in fields
    assert ("body", "scopes") in fields
    error = assert_error(admin_a.get("/audit-events", limit=0), 422, "validation_error")
    assert [f["field"] for f in error["details"]["fields"]] == ["limit"]
    assert_error(admin_a.get("/audit-events", since="yesterday"), 422, "validation_error")


def test_rate_limit_answers_429_with_retry_after(
    world: World, admin_a: ApiClient, settings: object
) -> None:
    settings.SHEQUN_API_RATE = "3/m"  # type: ignore[attr-defined]
    statuses = [admin_a.get("/workspace").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = admin_a.get("/workspace")
    error = assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert error["details"]["retry_after"] == int(response["Retry-After"])


def test_internal_error_leaks_nothing_and_rolls_back(
    world: World, admin_a: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shequn.api.routers import tokens as tokens_router

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals at /srv/shequn/db.py line 42")

    monkeypatch.setattr(tokens_router, "TokenCreatedOut", explode)
    with world.a.scope():
        before = ApiToken.objects.count()
    response = admin_a.post("/tokens", {"name": "half-made", "scopes": ["read"]})
    error = assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["details"] == {}
    with world.a.scope():
        assert ApiToken.objects.count() == before
        assert not ApiToken.objects.filter(name="half-made").exists()


def test_last_used_at_is_recorded(world: World, issue_token: IssueToken) -> None:
    token, raw = issue_token(world.a, "read")
    assert token.last_used_at is None
    ApiClient(raw).get("/workspace")
    with world.a.scope():
        assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
