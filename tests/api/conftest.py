from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from shequn.core.actors import Actor, acting_as
from tests.conftest import Tenant, World

IssueToken = Callable[..., tuple[ApiToken, str]]


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    cache.clear()


@pytest.fixture
def issue_token() -> IssueToken:
    """Issue a token in a tenant as its owner would in the console."""

    def issue(tenant: Tenant, *scopes: str, name: str = "ci") -> tuple[ApiToken, str]:
        owner = tenant.owner
        with tenant.scope(), acting_as(Actor(kind="user", label=owner.email, user_id=owner.pk)):
            return account_services.issue_api_token(name, list(scopes or ("read",)), by=owner)

    return issue


class ApiClient:
    """The Django test client with a bearer token and JSON bodies."""

    def __init__(self, raw: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"} if raw else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=self.headers
        )

    def request(self, method: str, path: str) -> Any:
        return self.client.generic(method, f"/api/v1{path}", headers=self.headers)


@pytest.fixture
def api_as(issue_token: IssueToken) -> Callable[..., ApiClient]:
    def make(tenant: Tenant, *scopes: str) -> ApiClient:
        _, raw = issue_token(tenant, *scopes)
        return ApiClient(raw)

    return make


@pytest.fixture
def admin_a(world: World, api_as: Callable[..., ApiClient]) -> ApiClient:
    return api_as(world.a, "admin")


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    return error
