"""Members, audit events and tokens: contents, filters, the acting token, cursor pagination."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequn.audit.models import AuditEvent
from tests.api.conftest import ApiClient, IssueToken, assert_error
from tests.conftest import World


def _walk(client: ApiClient, path: str, **params: object) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get(path, **query).json()
        assert set(body) == {"items", "next_cursor"}
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_members_lists_this_workspace_only(world: World, admin_a: ApiClient) -> None:
    body = admin_a.get("/members").json()
    emails = {m["email"] for m in body["items"]}
    assert emails == {
        "owner@sakura.example.com",
        "operator@sakura.example.com",
        "viewer@sakura.example.com",
    }
    roles = {m["email"]: m["role"] for m in body["items"]}
    assert roles["owner@sakura.example.com"] == "owner"
    assert all("id" not in m for m in body["items"])
    assert body["next_cursor"] is None


def test_token_issued_over_api_is_shown_once_and_audited_as_the_token(
    world: World, issue_token: IssueToken
) -> None:
    admin_token, raw = issue_token(world.a, "admin", name="deploy-bot")
    client = ApiClient(raw)
    response = client.post("/tokens", {"name": "  reporting  ", "scopes": ["read"]})
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "reporting"
    assert created["token"].startswith("shq_")
    assert created["created_by"] is None
    listed = client.get("/tokens").json()["items"]
    assert [t["name"] for t in listed if t["uid"] == created["uid"]] == ["reporting"]
    assert all("token" not in t for t in listed)
    assert ApiClient(created["token"]).get("/workspace").status_code == 200
    with world.a.scope():
        event = AuditEvent.objects.get(action="api_token.issued", target_uid=created["uid"])
    assert event.actor_kind == "token"
    assert event.actor_label == "deploy-bot"
    assert event.actor_token_uid == admin_token.uid
    assert event.actor_user_id is None


def test_audit_events_show_actor_and_never_other_tenants(
    world: World, issue_token: IssueToken, admin_a: ApiClient
) -> None:
    issue_token(world.b, "read", name="longjing-secret-token")
    events = _walk(admin_a, "/audit-events")
    actions = {e["action"] for e in events}
    assert {"workspace.created", "member.added", "api_token.issued"} <= actions
    assert "longjing" not in str(events)
    issued = next(e for e in events if e["action"] == "api_token.issued")
    assert issued["actor"]["kind"] == "user"
    assert issued["actor"]["label"] == "owner@sakura.example.com"
    assert issued["actor"]["user_uid"] == str(world.a.owner.uid)
    assert issued["target"]["type"] == "accounts.apitoken"


def test_audit_filters(world: World, admin_a: ApiClient) -> None:
    only_members = _walk(admin_a, "/audit-events", action="member.")
    assert only_members
    assert {e["action"] for e in only_members} == {"member.added"}
    by_owner = _walk(admin_a, "/audit-events", actor="owner@sakura")
    assert by_owner
    assert {e["actor"]["label"] for e in by_owner} == {"owner@sakura.example.com"}
    today = timezone.localdate()
    assert _walk(admin_a, "/audit-events", since=str(today), until=str(today))
    assert _walk(admin_a, "/audit-events", since=str(today + timedelta(days=1))) == []
    assert _walk(admin_a, "/audit-events", until=str(today - timedelta(days=1))) == []


def test_cursor_pages_cover_everything_once_in_order_and_survive_new_rows(
    world: World, issue_token: IssueToken, api_as: Callable[..., ApiClient]
) -> None:
    for n in range(7):
        issue_token(world.a, "read", name=f"t{n}")
    client = api_as(world.a, "admin")
    first = client.get("/tokens", limit=3).json()
    assert len(first["items"]) == 3
    issue_token(world.a, "read", name="late")  # newer than every page: must not shift them
    rest = _walk(client, "/tokens", limit=3, cursor=first["next_cursor"])
    names = [t["name"] for t in first["items"] + rest]
    assert "late" not in names
    assert sorted(names) == sorted([*(f"t{n}" for n in range(7)), "ci"])
    assert len(names) == len(set(names))
    created = [t["created_at"] for t in first["items"] + rest]
    assert created == sorted(created, reverse=True)


def test_tampered_cursor_is_a_validation_error(world: World, admin_a: ApiClient) -> None:
    first = admin_a.get("/audit-events", limit=1).json()
    assert first["next_cursor"]
    tampered = first["next_cursor"][:-2] + (
        "AA" if not first["next_cursor"].endswith("AA") else "BB"
    )
    error = assert_error(admin_a.get("/audit-events", cursor=tampered), 422, "validation_error")
    assert error["details"]["fields"][0]["field"] == "cursor"
    # A cursor from one list is not accepted by another ordered by a different field.
    members_cursor = admin_a.get("/members", limit=1).json()["next_cursor"]
    assert_error(admin_a.get("/audit-events", cursor=members_cursor), 422, "validation_error")
