"""/api/v1/personas and /api/v1/staff with two tenants."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from shequn.accounts import services as account_services
from shequn.channels.models import WeComCorp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.personas.support import corp_of, staff_with_customers

pytestmark = pytest.mark.django_db


def _api(t: Tenant, scope: str = "write") -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("personas-test", [scope], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _patch(api: Client, url: str, body: dict[str, Any]) -> Any:
    return api.patch(url, json.dumps(body), content_type="application/json")


def test_persona_crud_staff_assignment_and_isolation(world: World) -> None:
    corp = corp_of(world.a)
    with world.a.scope(), as_owner(world.a):
        staff_with_customers(corp, "wanzi01", 3)
        staff_with_customers(corp, "wanzi02", 1)
    api = _api(world.a)
    body = {
        "name": "Baby care",
        "display_name": "Xiao Wanzi",
        "content_pack": [{"title": "Hi", "text": "Hello from Wanzi"}],
        "default_capacity": 4,
    }
    created = api.post("/api/v1/personas", body, content_type="application/json")
    assert created.status_code == 201, created.content
    persona = created.json()
    assert persona["content_pack"] == [{"title": "Hi", "text": "Hello from Wanzi"}]
    assert "id" not in persona
    duplicate = api.post("/api/v1/personas", body, content_type="application/json")
    assert duplicate.status_code == 422
    assert duplicate.json()["error"]["code"] == "invalid_persona"

    staff = {s["userid"]: s for s in api.get("/api/v1/staff").json()["items"]}
    assert staff["wanzi01"]["customers"] == 3
    assert staff["wanzi01"]["effective_capacity"] == 5000
    for userid in ("wanzi01", "wanzi02"):
        changed = _patch(api, f"/api/v1/staff/{staff[userid]['uid']}", {"persona": persona["uid"]})
        assert changed.status_code == 200
        assert changed.json()["persona"] == persona["uid"]
        assert changed.json()["effective_capacity"] == 4
    available = api.get(f"/api/v1/personas/{persona['uid']}/available").json()
    assert [s["userid"] for s in available] == ["wanzi02", "wanzi01"]
    capped = _patch(api, f"/api/v1/staff/{staff['wanzi01']['uid']}", {"capacity": 3})
    assert (capped.json()["capacity"], capped.json()["available"]) == (3, False)
    available = api.get(f"/api/v1/personas/{persona['uid']}/available").json()
    assert [s["userid"] for s in available] == ["wanzi02"]
    mine = api.get("/api/v1/staff", {"persona": persona["uid"]}).json()["items"]
    assert len(mine) == 2
    assert (
        _patch(api, f"/api/v1/staff/{staff['wanzi01']['uid']}", {"capacity": 0}).status_code == 422
    )
    renamed = _patch(api, f"/api/v1/personas/{persona['uid']}", {"tone_guide": "Gentle."})
    assert renamed.json()["tone_guide"] == "Gentle."

    other = _api(world.b)
    assert other.get(f"/api/v1/personas/{persona['uid']}").status_code == 404
    assert other.get(f"/api/v1/staff/{staff['wanzi01']['uid']}").status_code == 404
    assert (
        _patch(other, f"/api/v1/staff/{staff['wanzi01']['uid']}", {"active": False}).status_code
        == 404
    )
    assert other.get("/api/v1/personas").json()["items"] == []
    assert other.get("/api/v1/staff").json()["items"] == []
    # B cannot hand A's staff account to one of its own personas either.
    b_persona = other.post("/api/v1/personas", {"name": "Tea"}, content_type="application/json")
    assert (
        _patch(
            api, f"/api/v1/staff/{staff['wanzi02']['uid']}", {"persona": b_persona.json()["uid"]}
        ).status_code
        == 404
    )

    reader = _api(world.a, "read")
    assert reader.get("/api/v1/personas").status_code == 200
    assert _patch(reader, f"/api/v1/personas/{persona['uid']}", {"name": "x"}).status_code == 403
    assert api.delete(f"/api/v1/personas/{persona['uid']}").status_code == 204
    assert api.get(f"/api/v1/staff/{staff['wanzi01']['uid']}").json()["persona"] is None


def test_sync_endpoint_queues_each_connected_corp(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    corp_of(world.a)
    api = _api(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("/api/v1/staff/sync", {}, content_type="application/json")
    assert answer.status_code == 202
    with world.a.scope():
        assert answer.json() == {"queued": [str(WeComCorp.objects.get().uid)]}
    assert DBTaskResult.objects.count() == 1
    other = _api(world.b)
    refused = other.post(
        "/api/v1/staff/sync", {"corp": answer.json()["queued"][0]}, content_type="application/json"
    )
    assert refused.status_code == 404
    assert other.post("/api/v1/staff/sync", {}, content_type="application/json").json() == {
        "queued": []
    }
