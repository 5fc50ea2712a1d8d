"""The privacy API with two tenants: consents, export, erasure."""

from __future__ import annotations

import pytest
from django.test import Client

from shequn.accounts import services as account_services
from shequn.privacy.models import DataSubjectRequest
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.privacy.people import build_person

pytestmark = pytest.mark.django_db


def _api(t: Tenant, scope: str = "write") -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("privacy-test", [scope], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_consents_through_the_api(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        person = build_person(world.a)
    a, b = _api(world.a), _api(world.b)
    url = f"/api/v1/contacts/{person.contact.uid}/consents"
    got = a.get(url).json()
    assert got["current"]["marketing"]["granted"] is False
    assert got["current"]["cross_border"] is None
    assert len(got["history"]) == 3
    posted = a.post(
        url,
        {"purpose": "cross_border", "granted": True, "evidence": "ticket 12"},
        content_type="application/json",
    )
    assert posted.status_code == 201
    assert posted.json()["current"]["cross_border"]["source"] == "api"
    assert b.get(url).status_code == 404
    assert (
        b.post(
            url, {"purpose": "marketing", "granted": True}, content_type="application/json"
        ).status_code
        == 404
    )
    bad = a.post(url, {"purpose": "spam", "granted": True}, content_type="application/json")
    assert bad.status_code == 422
    assert (
        _api(world.a, "read")
        .post(url, {"purpose": "marketing", "granted": True}, content_type="application/json")
        .status_code
        == 403
    )


def test_export_and_erasure_requests(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        person = build_person(world.a)
    a, b = _api(world.a), _api(world.b)
    body = {"contact": str(person.contact.uid), "kind": "export"}
    assert (
        b.post("/api/v1/privacy/requests", body, content_type="application/json").status_code == 404
    )
    exported = a.post("/api/v1/privacy/requests", body, content_type="application/json")
    assert exported.status_code == 200
    document = exported.json()["document"]
    assert person.message_text in str(document["sections"]["inbox"])
    assert person.openid in str(document["sections"]["ingest"])
    erasure = a.post(
        "/api/v1/privacy/requests",
        {"contact": str(person.contact.uid), "kind": "erasure"},
        content_type="application/json",
    )
    assert erasure.status_code == 202
    assert erasure.json()["state"] == "pending"
    uid = erasure.json()["uid"]
    assert a.get(f"/api/v1/privacy/requests/{uid}").json()["kind"] == "erasure"
    assert b.get(f"/api/v1/privacy/requests/{uid}").status_code == 404
    assert b.get("/api/v1/privacy/requests").json()["items"] == []
    kinds = {r["kind"] for r in a.get("/api/v1/privacy/requests").json()["items"]}
    assert kinds == {"export", "erasure"}
    with world.a.scope():
        assert DataSubjectRequest.objects.filter(kind="erasure", state="pending").count() == 1
