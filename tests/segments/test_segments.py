"""Segments as an operator meets them: rules validated with clear messages, membership that
moves with the calendar, the console builder with its live count, saved views and the API."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from shequn.accounts import services as account_services
from shequn.contacts import services as contacts
from shequn.contacts.models import Contact, Identity, Tag
from shequn.segments import queries, services
from shequn.segments.rules import RuleInvalid
from tests.channels.factories import make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

SHANGHAI = ZoneInfo("Asia/Shanghai")
JOINED = datetime(2026, 2, 1, tzinfo=SHANGHAI)


def _contact(name: str) -> Contact:
    contact = contacts.contact_for_identity(Identity.Kind.UNIONID, f"u-{name}")
    return contacts.update_profile(contact, display_name=name)


def _baby_world(t: Tenant) -> dict[str, Any]:
    """Five mothers; three have babies 6-8 months old on 2026-11-21, one of those is in a group
    and one lacks the trial-pack tag: exactly one is in "6-8 months, trial-pack, no group"."""
    with t.scope(), as_owner(t):
        contacts.define_attribute(
            key="baby_birth", label="Baby birth date", value_type="date", derive_age_months=True
        )
        trial = contacts.create_tag("trial-pack")
        births = {
            "Aiko": date(2026, 4, 10),  # 7 months: in
            "Bei": date(2026, 3, 1),  # 8 months: in, but in a group
            "Chen": date(2026, 5, 21),  # exactly 6 months: in, but no tag
            "Dai": date(2026, 6, 1),  # 5 months: out (joins on 2026-12-01)
            "Emi": date(2025, 12, 1),  # 11 months: out
        }
        people = {}
        for name, born in births.items():
            person = _contact(name)
            contacts.set_attribute(person, "baby_birth", born)
            if name != "Chen":
                contacts.tag_contacts(trial, [person])
            people[name] = person
        corp = make_wecom_corp(corpid=f"ww{t.workspace.slug}0001"[:18])
        corp_ref = f"wecom:{corp.uid}"
        contacts.attach_identity(
            people["Bei"], Identity.Kind.WECOM_EXTERNAL_USERID, "wmBei", corp_ref
        )
        group = contacts.group(corp, "chatBabies", datetime(2026, 1, 1, tzinfo=SHANGHAI))
        contacts.members_joined(
            group,
            ["wmBei"],
            corp_ref=corp_ref,
            join_scene=1,
            at=datetime(2026, 2, 1, tzinfo=SHANGHAI),
        )
    return {"tag": trial, "people": people}


def _rules(tag: Tag) -> dict[str, Any]:
    return {
        "all": [
            {"kind": "attribute", "key": "baby_birth", "op": "months_ago", "min": 6, "max": 8},
            {"kind": "has_tag", "tag": str(tag.uid)},
            {"kind": "not_in_any_group"},
        ]
    }


@time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_segment_counts_the_right_people_and_moves_with_the_calendar(world: World) -> None:
    built = _baby_world(world.a)
    with world.a.scope(), as_owner(world.a):
        segment = services.create_segment("Babies 6-8 months", _rules(built["tag"]))
        assert queries.count(segment) == 1
        assert queries.member_ids(segment) == [built["people"]["Aiko"].pk]
    later = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False), world.a.scope():
        # Dai turns 6 months; Aiko (born 2026-04-10) is still 7 months old.
        names = {c.display_name for c in queries.member_contacts(segment)}
        assert names == {"Aiko", "Dai"}
    with world.b.scope():
        assert not queries.segments().exists()


def test_rules_are_validated_with_a_message_per_problem(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        contacts.define_attribute(key="spend", label="Spend", value_type="number")
        with pytest.raises(RuleInvalid) as caught:
            services.create_segment(
                "Bad",
                {
                    "all": [
                        {"kind": "has_tag", "tag": "not-a-uid"},
                        {"kind": "attribute", "key": "spend", "op": "months_ago"},
                        {"kind": "last_activity", "op": "within", "days": 0},
                        {"kind": "teleported"},
                    ]
                },
            )
        assert caught.value.errors == [
            "Choose a tag.",
            "The comparison does not fit the attribute Spend.",
            "Last activity needs 'within' or 'not within' and a number of days.",
            "Unknown condition: teleported.",
        ]
        with pytest.raises(RuleInvalid, match="must start with"):
            queries.preview([{"kind": "subscribed"}])
        services.create_segment("Everyone", {"all": []})
        with pytest.raises(RuleInvalid, match="already exists"):
            services.create_segment("Everyone", {"any": [{"kind": "subscribed"}]})


def _member_client(t: Tenant, user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_console_builder_live_count_save_and_saved_view(world: World) -> None:
    built = _baby_world(world.a)
    tag_uid = str(built["tag"].uid)
    slug = world.a.workspace.slug
    client = _member_client(world.a, world.a.operator.user)
    form = {
        "name": "Babies 6-8 months, trial pack, no group",
        "match": "all",
        "row_count": "3",
        "row-0-kind": "attribute",
        "row-0-key": "baby_birth",
        "row-0-op": "months_ago",
        "row-0-min": "6",
        "row-0-max": "8",
        "row-1-kind": "has_tag",
        "row-1-tag": tag_uid,
        "row-2-kind": "in_any_group",
        "row-2-exclude": "1",
    }
    preview = client.post(reverse("console:segments_preview", kwargs={"workspace": slug}), form)
    assert "<strong data-live-count>1</strong>" in preview.content.decode()
    # Adding a condition through htmx renders a fourth row; removing the group one widens it.
    rows = client.post(
        reverse("console:segments_rows", kwargs={"workspace": slug}), {**form, "add": "1"}
    ).content.decode()
    assert rows.count("data-row") == 4
    wider = client.post(
        reverse("console:segments_rows", kwargs={"workspace": slug}),
        {**form, "row-2-removed": "1"},
    ).content.decode()
    assert wider.count("data-row") == 2
    assert "<strong data-live-count>2</strong>" in wider
    saved = client.post(reverse("console:segments_new", kwargs={"workspace": slug}), form)
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "1 contact matches now." in page
    with world.a.scope():
        segment = queries.segments().get()
    edit = client.get(
        reverse("console:segments_edit", kwargs={"workspace": slug, "uid": segment.uid})
    ).content.decode()
    assert edit.count("data-row") == 3
    assert "<strong data-live-count>1</strong>" in edit
    blank = client.get(reverse("console:segments_new", kwargs={"workspace": slug}))
    assert blank.content.decode().count("data-row") == 1
    assert "Aiko" in page
    assert "Bei" not in page
    listing = client.get(reverse("console:segments", kwargs={"workspace": slug})).content.decode()
    assert "<td data-count>1</td>" in listing
    # Invalid input comes back with the reason, nothing saved.
    bad = client.post(
        reverse("console:segments_new", kwargs={"workspace": slug}),
        {**form, "name": "Other", "row-1-tag": ""},
    )
    assert bad.status_code == 422
    assert "Choose a tag." in bad.content.decode()


def test_console_roles_and_other_tenant(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        segment = services.create_segment("Subscribers", {"all": [{"kind": "subscribed"}]})
    slug = world.a.workspace.slug
    viewer = _member_client(world.a, world.a.viewer.user)
    assert viewer.get(reverse("console:segments", kwargs={"workspace": slug})).status_code == 200
    members = reverse("console:segments_members", kwargs={"workspace": slug, "uid": segment.uid})
    assert viewer.get(members).status_code == 200
    assert (
        viewer.get(reverse("console:segments_new", kwargs={"workspace": slug})).status_code == 403
    )
    outsider = _member_client(world.b, world.b.owner)
    assert outsider.get(members).status_code == 404


def _api(t: Tenant) -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("segments-test", ["write"], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


@time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_api_crud_count_members_and_isolation(world: World) -> None:
    built = _baby_world(world.a)
    api = _api(world.a)
    body = {"name": "Babies", "rules": _rules(built["tag"])}
    created = api.post("/api/v1/segments", body, content_type="application/json")
    assert created.status_code == 201
    uid = created.json()["uid"]
    assert api.get(f"/api/v1/segments/{uid}/count").json() == {"count": 1}
    members = api.get(f"/api/v1/segments/{uid}/members", {"limit": 1}).json()
    assert [m["display_name"] for m in members["items"]] == ["Aiko"]
    preview = api.post(
        "/api/v1/segments/preview",
        {"rules": {"all": [{"kind": "has_tag", "tag": str(built["tag"].uid)}]}},
        content_type="application/json",
    )
    assert preview.json() == {"count": 4}
    invalid = api.post(
        "/api/v1/segments",
        {"name": "X", "rules": {"all": [{"kind": "nope"}]}},
        content_type="application/json",
    )
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "invalid_segment"
    renamed = api.patch(
        f"/api/v1/segments/{uid}", json.dumps({"name": "Babies!"}), content_type="application/json"
    )
    assert renamed.json()["name"] == "Babies!"
    other = _api(world.b)
    assert other.get(f"/api/v1/segments/{uid}/count").status_code == 404
    assert other.get("/api/v1/segments").json()["items"] == []
    assert api.delete(f"/api/v1/segments/{uid}").status_code == 204
    assert api.get(f"/api/v1/segments/{uid}").status_code == 404


@time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_large_workspaces_answer_from_the_engine_with_the_same_count(
    world: World, settings: Any
) -> None:
    built = _baby_world(world.a)
    with world.a.scope(), as_owner(world.a):
        segment = services.create_segment("Babies", _rules(built["tag"]))
        settings.SEGMENT_ENGINE_MIN_CONTACTS = 1
        settings.SEGMENT_INDEX_MAX_AGE = 0
        assert queries.count(segment) == 1
        assert queries.member_ids(segment) == [built["people"]["Aiko"].pk]
