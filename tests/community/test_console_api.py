"""Community in the console and the API as operators meet it: pools created and edited, a pool
page with its groups' fill, the groups list with filters and a roster, roles, tenant B's 404,
and the public questionnaire that stores the answer and routes by it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from shequn.accounts import services as account_services
from shequn.community import services
from shequn.community.models import GroupPool, JoinWay
from shequn.contacts import queries as contact_queries
from shequn.contacts import services as contacts
from shequn.contacts.models import Identity
from shequn.segments import services as segment_services
from tests.channels.factories import make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _setup(t: Tenant) -> dict[str, Any]:
    with t.scope(), as_owner(t):
        corp = make_wecom_corp(corpid=f"ww{t.workspace.slug}c"[:18])
        group = contacts.group(corp, "wrSpring1", AT)
        contacts.members_joined(
            group, ["wmA", "wmB"], corp_ref=f"wecom:{corp.uid}", join_scene=3, at=AT
        )
        pool = services.create_pool(corp=corp, name="Spring mums", max_members=200)
        services.add_group_to_pool(pool, group)
        return {"corp": corp, "group": group, "pool": pool}


def test_console_pool_pages_roles_and_tenant_b(world: World) -> None:
    built = _setup(world.a)
    slug = world.a.workspace.slug
    owner = _login(world.a.owner)
    created = owner.post(
        reverse("console:community_pool_new", kwargs={"workspace": slug}),
        {
            "name": "Autumn trial",
            "corp": str(built["corp"].pk),
            "purpose": "functional",
            "priority": "10",
            "max_members": "300",
            "room_base_name": "Autumn ",
            "active": "on",
        },
    )
    assert created.status_code == 422  # a functional pool needs an end date
    assert "needs an end date" in created.content.decode()
    saved = owner.post(
        reverse("console:community_pool_new", kwargs={"workspace": slug}),
        {
            "name": "Autumn trial",
            "corp": str(built["corp"].pk),
            "purpose": "functional",
            "priority": "10",
            "ends_on": "2026-12-31",
            "max_members": "300",
            "active": "on",
        },
    )
    assert saved.status_code == 302
    with world.a.scope():
        autumn = GroupPool.objects.get(name="Autumn trial")
        assert (autumn.max_members, autumn.ends_on) == (300, date(2026, 12, 31))

    index = owner.get(reverse("console:community", kwargs={"workspace": slug})).content.decode()
    assert "Spring mums" in index
    assert "Autumn trial" in index
    pool_url = reverse(
        "console:community_pool", kwargs={"workspace": slug, "uid": built["pool"].uid}
    )
    page = owner.get(pool_url).content.decode()
    assert "wrSpring1" in page
    assert "2 / 200" in page

    groups_url = reverse("console:community_groups", kwargs={"workspace": slug})
    listed = owner.get(groups_url, {"pool": str(autumn.uid)}).content.decode()
    assert "wrSpring1" not in listed
    assert "wrSpring1" in owner.get(groups_url).content.decode()
    roster_url = reverse(
        "console:community_group", kwargs={"workspace": slug, "uid": built["group"].uid}
    )
    roster = owner.get(roster_url).content.decode()
    assert "wmA" in roster
    assert "Scanned the group code" in roster

    viewer = _login(world.a.viewer.user)
    assert viewer.get(pool_url).status_code == 200
    new_url = reverse("console:community_pool_new", kwargs={"workspace": slug})
    assert viewer.get(new_url).status_code == 403
    outsider = _login(world.b.owner)
    assert outsider.get(pool_url).status_code == 404
    assert outsider.get(roster_url).status_code == 404


def _api(t: Tenant) -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("community-test", ["write"], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_api_pools_groups_members_and_isolation(world: World) -> None:
    built = _setup(world.a)
    api = _api(world.a)
    created = api.post(
        "/api/v1/pools",
        {"name": "Baby 4-6", "corp": str(built["corp"].uid), "priority": 20},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    uid = created.json()["uid"]
    assert created.json()["join_code"] is None
    bad = api.patch(
        f"/api/v1/pools/{uid}",
        json.dumps({"purpose": "functional"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_pool"
    nxt = api.patch(
        f"/api/v1/pools/{built['pool'].uid}",
        json.dumps({"next_pool": uid}),
        content_type="application/json",
    )
    assert nxt.json()["next_pool"] == uid
    pools = api.get("/api/v1/pools").json()["items"]
    spring = next(p for p in pools if p["name"] == "Spring mums")
    assert (spring["groups"], spring["members"]) == (1, 2)
    groups = api.get("/api/v1/groups", {"pool": str(built["pool"].uid)}).json()["items"]
    assert [g["chat_id"] for g in groups] == ["wrSpring1"]
    assert groups[0]["pool"] == str(built["pool"].uid)
    members = api.get(f"/api/v1/groups/{groups[0]['uid']}/members", {"limit": 1}).json()
    assert len(members["items"]) == 1
    assert members["next_cursor"]

    other = _api(world.b)
    assert other.get(f"/api/v1/pools/{uid}").status_code == 404
    assert other.get(f"/api/v1/groups/{groups[0]['uid']}/members").status_code == 404
    assert other.get("/api/v1/groups").json()["items"] == []


def test_questionnaire_stores_the_answer_and_routes_by_the_segment(world: World) -> None:
    built = _setup(world.a)
    with world.a.scope(), as_owner(world.a):
        contacts.define_attribute(
            key="baby_birth", label="Baby birth date", value_type="date", derive_age_months=True
        )
        young = segment_services.create_segment(
            "0-3 months",
            {
                "all": [
                    {
                        "kind": "attribute",
                        "key": "baby_birth",
                        "op": "months_ago",
                        "min": 0,
                        "max": 3,
                    }
                ]
            },
        )
        services.update_pool(built["pool"], segment=young)
        # a join way already points at the pool's group, so no WeCom call is needed here
        JoinWay.objects.create(
            pool=built["pool"],
            config_id="cfg1",
            qr_code="https://wework.example/qr/spring.png",
            chat_ids=["wrSpring1"],
            state="jwspring",
        )
        q = services.save_questionnaire(
            None,
            name="Baby age",
            title="Welcome!",
            question="When was your baby born?",
            attribute_key="baby_birth",
            pools=[built["pool"]],
        )
        mum = contacts.contact_for_identity(Identity.Kind.UNIONID, "u-mum")
        url = services.questionnaire_url(mum, q)
    assert url is not None
    assert url.startswith("/q/")
    anonymous = Client()
    form = anonymous.get(url)
    assert form.status_code == 200
    assert "When was your baby born?" in form.content.decode()
    too_old = anonymous.post(url, {"answer": "2020-01-01"}).content.decode()
    assert "invite you to the right group soon" in too_old
    today = datetime.now(UTC).date()
    routed = anonymous.post(url, {"answer": today.isoformat()}).content.decode()
    assert "https://wework.example/qr/spring.png" in routed
    with world.a.scope():
        assert contact_queries.attribute_value(mum, "baby_birth") == today
    assert anonymous.get(url[:-5] + "xxxx/").status_code == 404
