"""The contacts API with two tenants: lists, profile and attribute edits, tags, limits, merges."""

from __future__ import annotations

import pytest
from django.test import Client

from shequn.accounts import services as account_services
from shequn.contacts import services
from shequn.contacts.models import ContactMerge, Identity
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.django_db


def _api(t: Tenant) -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("contacts-test", ["write"], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _json(client: Client, method: str, path: str, body: object = None) -> object:
    return getattr(client, method)(f"/api/v1{path}", body or {}, content_type="application/json")


def test_contacts_list_filters_update_and_tenant_isolation(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        mei = services.contact_for_identity(Identity.Kind.OA_OPENID, "oMei", "oa:1")
        services.update_profile(mei, display_name="Mei", remark="serum fan")
        ken = services.contact_for_identity(Identity.Kind.WECOM_EXTERNAL_USERID, "wmKen", "wecom:1")
        services.update_profile(ken, display_name="Ken")
        services.define_attribute(
            key="baby_birth", label="Baby birth", value_type="date", derive_age_months=True
        )
        vip = services.create_tag("VIP")
    a, b = _api(world.a), _api(world.b)

    names = lambda r: [c["display_name"] for c in r.json()["items"]]  # noqa: E731
    assert names(a.get("/api/v1/contacts", {"q": "serum"})) == ["Mei"]
    assert names(a.get("/api/v1/contacts", {"channel": "wecom"})) == ["Ken"]
    assert b.get("/api/v1/contacts").json()["items"] == []
    assert b.get(f"/api/v1/contacts/{mei.uid}").status_code == 404

    changed = _json(
        a,
        "patch",
        f"/contacts/{mei.uid}",
        {"lifecycle_stage": "customer", "attributes": {"baby_birth": "2025-01-01"}},
    )
    assert changed.status_code == 200  # type: ignore[attr-defined]
    assert changed.json()["lifecycle_stage"] == "customer"  # type: ignore[attr-defined]
    assert changed.json()["attributes"]["baby_birth"] == "2025-01-01"  # type: ignore[attr-defined]
    bad = _json(a, "patch", f"/contacts/{mei.uid}", {"attributes": {"baby_birth": "soon"}})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert _json(b, "patch", f"/contacts/{mei.uid}", {"remark": "x"}).status_code == 404  # type: ignore[attr-defined]

    tagged = _json(a, "post", f"/tags/{vip.uid}/members", {"contact_uids": [str(mei.uid)]})
    assert tagged.json()["member_count"] == 1  # type: ignore[attr-defined]
    assert names(a.get("/api/v1/contacts", {"tag": str(vip.uid)})) == ["Mei"]
    assert _json(b, "post", f"/tags/{vip.uid}/members", {"contact_uids": []}).status_code == 404  # type: ignore[attr-defined]
    untagged = _json(a, "post", f"/tags/{vip.uid}/members/remove", {"contact_uids": [str(mei.uid)]})
    assert untagged.json()["member_count"] == 0  # type: ignore[attr-defined]


def test_tags_and_definitions_crud_with_limits(world: World) -> None:
    a, b = _api(world.a), _api(world.b)
    created = _json(a, "post", "/tags", {"name": "Autumn"})
    assert created.status_code == 201  # type: ignore[attr-defined]
    uid = created.json()["uid"]  # type: ignore[attr-defined]
    too_long = _json(a, "post", "/tags", {"name": "x" * 31})
    assert too_long.status_code == 422  # type: ignore[attr-defined]
    assert too_long.json()["error"]["code"] == "tag_limit"  # type: ignore[attr-defined]
    assert "30" in too_long.json()["error"]["message"]  # type: ignore[attr-defined]
    assert _json(a, "patch", f"/tags/{uid}", {"name": "Spring"}).json()["name"] == "Spring"  # type: ignore[attr-defined]
    assert _json(b, "delete", f"/tags/{uid}").status_code == 404  # type: ignore[attr-defined]
    assert [t["name"] for t in a.get("/api/v1/tags").json()["items"]] == ["Spring"]
    assert _json(a, "delete", f"/tags/{uid}").status_code == 204  # type: ignore[attr-defined]

    made = _json(
        a,
        "post",
        "/attribute-definitions",
        {"key": "skin", "label": "Skin", "value_type": "choice", "choices": ["dry", "oily"]},
    )
    assert made.status_code == 201  # type: ignore[attr-defined]
    refused = _json(a, "post", "/attribute-definitions", {"label": "Skin", "value_type": "choice"})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert b.get("/api/v1/attribute-definitions").json()["items"] == []


def test_undo_merge_and_sync_run_start(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        one = services.contact_for_identity(Identity.Kind.OA_OPENID, "o1", "oa:1")
        two = services.contact_for_identity(Identity.Kind.WECOM_EXTERNAL_USERID, "wm1", "wecom:1")
        services.attach_unionid(one, "u1")
        services.attach_unionid(two, "u1")
        merge = ContactMerge.objects.get()
    a, b = _api(world.a), _api(world.b)
    assert _json(b, "post", f"/contact-merges/{merge.uid}/undo").status_code == 404  # type: ignore[attr-defined]
    undone = _json(a, "post", f"/contact-merges/{merge.uid}/undo")
    assert undone.json()["uid"] == str(two.uid)  # type: ignore[attr-defined]
    assert len(a.get("/api/v1/contacts").json()["items"]) == 2
    assert _json(a, "post", f"/contact-merges/{merge.uid}/undo").status_code == 409  # type: ignore[attr-defined]
    assert _json(a, "post", "/sync-runs", {"account_uid": str(one.uid)}).status_code == 404  # type: ignore[attr-defined]
