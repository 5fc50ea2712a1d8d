"""The channels API: secrets are write-only, tenants are apart, events can be replayed."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shequn.accounts import services as account_services
from tests.channels.factories import OA_AES_KEY, OA_TOKEN
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.django_db


def bearer(t: Tenant) -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("api", ["admin"], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_create_get_update_and_list_never_show_secrets(world: World) -> None:
    client = bearer(world.a)
    payload = {
        "kind": "oa",
        "name": "Sakura",
        "appid": "wx1234567890abcdef",
        "secret": "very-secret-value",
        "token": OA_TOKEN,
        "encoding_aes_key": OA_AES_KEY,
        "encryption_mode": "safe",
    }
    created = client.post("/api/v1/channels", json.dumps(payload), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secrets_set"] == ["encoding_aes_key", "secret", "token"]
    uid = body["uid"]
    for response in (client.get("/api/v1/channels"), client.get(f"/api/v1/channels/{uid}")):
        assert response.status_code == 200
        for value in ("very-secret-value", OA_TOKEN, OA_AES_KEY):
            assert value not in response.content.decode()
    patched = client.patch(
        f"/api/v1/channels/{uid}",
        json.dumps({"ingest_paused": True}),
        content_type="application/json",
    )
    assert patched.json()["ingest_paused"] is True
    assert bearer(world.b).get(f"/api/v1/channels/{uid}").status_code == 404
    bad = client.post(
        "/api/v1/channels",
        json.dumps({**payload, "appid": "wx2", "encoding_aes_key": "short"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
