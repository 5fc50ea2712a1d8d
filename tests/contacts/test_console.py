"""Console → Contacts: the list with filters, saved views and bulk tagging, per role and tenant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.test import Client

from shequn.contacts import queries, services
from shequn.contacts.models import Contact, Identity, Tag
from shequn.segments import queries as segment_queries
from shequn.segments import services as segment_services
from tests.conftest import Tenant, World

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LIST = "/w/sakura/contacts/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(getattr(user, "user", user))
    return client


def person(openid: str, name: str, *, ref: str = "oa:one", **profile: Any) -> Contact:
    contact = services.contact_for_identity(Identity.Kind.OA_OPENID, openid, ref)
    services.touch(contact, ref, "poster", AT)
    return services.update_profile(contact, display_name=name, **profile)


def people(t: Tenant) -> dict[str, Contact]:
    with t.scope():
        found = {
            "mei": person("oMei", "Mei Tanaka", remark="likes toner"),
            "li": person("oLi", "Li Wei", ref="wecom:two", lifecycle_stage="customer"),
            "yuki": person("oYuki", "Yuki", lifecycle_stage="customer"),
        }
        services.attach_identity(found["yuki"], Identity.Kind.PHONE, "+8613800000000")
        vip = services.create_tag("VIP")
        services.tag_contacts(vip, [found["mei"], found["li"]])
    return found


def names(response: Any) -> list[str]:
    body = response.content.decode()
    shown = [n for n in ("Mei Tanaka", "Li Wei", "Yuki") if f">{n}</a>" in body]
    return sorted(shown, key=lambda n: body.index(f">{n}</a>"))


def test_list_per_role_with_search_filters_and_sorting(world: World) -> None:
    found = people(world.a)
    viewer = client_for(world.a.viewer)
    page = viewer.get(LIST)
    assert page.status_code == 200
    assert names(page) == ["Yuki", "Li Wei", "Mei Tanaka"]  # newest first
    assert 'name="contact"' not in page.content.decode()  # no bulk selection for viewers
    assert names(viewer.get(LIST, {"q": "toner"})) == ["Mei Tanaka"]
    assert names(viewer.get(LIST, {"q": "+8613800000000"})) == ["Yuki"]
    assert names(viewer.get(LIST, {"q": "oLi"})) == ["Li Wei"]
    with world.a.scope():
        vip = Tag.objects.get(name="VIP")
    assert names(viewer.get(LIST, {"tag": str(vip.uid)})) == ["Li Wei", "Mei Tanaka"]
    assert names(viewer.get(LIST, {"channel": "wecom"})) == ["Li Wei"]
    assert names(viewer.get(LIST, {"lifecycle": "customer"})) == ["Yuki", "Li Wei"]
    assert names(viewer.get(LIST, {"lifecycle": "customer", "sort": "name"})) == ["Li Wei", "Yuki"]
    assert names(viewer.get(LIST, {"sort": "name"})) == ["Li Wei", "Mei Tanaka", "Yuki"]
    assert names(viewer.get(LIST, {"sort": "-name"})) == ["Yuki", "Mei Tanaka", "Li Wei"]
    assert "No contact matches these filters." in viewer.get(LIST, {"q": "nobody"}).content.decode()
    # htmx asks for the results only.
    partial = viewer.get(
        LIST, {"q": "Mei"}, headers={"HX-Request": "true", "HX-Target": "contact-results"}
    )
    assert names(partial) == ["Mei Tanaka"]
    assert "<html" not in partial.content.decode()
    assert 'name="contact"' in client_for(world.a.operator).get(LIST).content.decode()
    # Tenant B: its own empty list, and A's workspace is not there.
    b = client_for(world.b.owner)
    assert names(b.get("/w/longjing/contacts/")) == []
    assert "No contacts yet" in b.get("/w/longjing/contacts/").content.decode()
    assert b.get(LIST).status_code == 404
    assert b.get(f"{LIST}{found['mei'].uid}/").status_code == 404
    assert b.get(f"/w/longjing/contacts/{found['mei'].uid}/").status_code == 404


def test_list_pages_fifty_at_a_time(world: World) -> None:
    with world.a.scope():
        for i in range(55):
            person(f"oMany{i:02d}", f"Many {i:02d}")
    viewer = client_for(world.a.viewer)
    first = viewer.get(LIST, {"sort": "name"}).content.decode()
    assert "Many 49" in first
    assert "Many 50" not in first
    assert "Page 1 of 2" in first
    second = viewer.get(LIST, {"sort": "name", "page": "2"}).content.decode()
    assert "Many 50" in second
    assert "Many 54" in second


def test_saved_view_filters_by_segment_and_a_filter_is_saved_as_a_segment(world: World) -> None:
    found = people(world.a)
    with world.a.scope():
        vip = Tag.objects.get(name="VIP")
        customers = segment_services.create_segment(
            "WeCom people", {"all": [{"kind": "source_channel", "channel": "wecom", "scene": ""}]}
        )
    operator = client_for(world.a.operator)
    assert names(operator.get(LIST, {"segment": str(customers.uid)})) == ["Li Wei"]
    page = operator.get(LIST, {"tag": str(vip.uid)}).content.decode()
    assert "Save view" in page
    assert "Save view" not in operator.get(LIST, {"q": "Mei"}).content.decode()
    saved = operator.post(
        f"{LIST}save-view/", {"name": "VIP fans", "filter_query": f"tag={vip.uid}"}
    )
    assert saved.status_code == 302
    with world.a.scope():
        segment = segment_queries.segments().get(name="VIP fans")
        assert set(segment_queries.member_contacts(segment)) == {found["mei"], found["li"]}
    assert saved["Location"].endswith(f"?segment={segment.uid}")
    refused = operator.post(f"{LIST}save-view/", {"name": "x", "filter_query": "q=Mei"})
    assert refused.status_code == 302
    assert (
        client_for(world.a.viewer)
        .post(f"{LIST}save-view/", {"name": "v", "filter_query": f"tag={vip.uid}"})
        .status_code
        == 403
    )


def test_bulk_tag_and_untag_from_the_list(world: World) -> None:
    found = people(world.a)
    with world.a.scope():
        fans = services.create_tag("Autumn fair")
    operator = client_for(world.a.operator)
    ticked = [str(found["mei"].uid), str(found["yuki"].uid)]
    answer = operator.post(
        f"{LIST}bulk/",
        {"bulk_tag": str(fans.uid), "contact": ticked, "action": "tag", "filter_query": ""},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "Tagged 2 contacts with “Autumn fair”." in answer.content.decode()
    with world.a.scope():
        assert set(queries.contacts_with_tag(fans)) == {found["mei"], found["yuki"]}
    plain = operator.post(
        f"{LIST}bulk/",
        {"bulk_tag": str(fans.uid), "contact": ticked[:1], "action": "untag", "filter_query": ""},
    )
    assert plain.status_code == 302
    assert (
        "Removed “Autumn fair” from 1 contacts." in operator.get(plain["Location"]).content.decode()
    )
    with world.a.scope():
        assert list(queries.contacts_with_tag(fans)) == [found["yuki"]]
    nothing = operator.post(
        f"{LIST}bulk/", {"bulk_tag": str(fans.uid), "action": "tag"}, headers={"HX-Request": "1"}
    )
    assert "Tick at least one contact." in nothing.content.decode()
    viewer = client_for(world.a.viewer)
    assert (
        viewer.post(f"{LIST}bulk/", {"bulk_tag": str(fans.uid), "contact": ticked}).status_code
        == 403
    )


def test_bulk_tagging_past_wechats_twenty_tags_shows_the_limit_and_changes_nothing(
    world: World,
) -> None:
    found = people(world.a)
    with world.a.scope():
        tags = [services.create_tag(f"interest {i}") for i in range(20)]
        for tag in tags[:19]:
            services.tag_contacts(tag, [found["mei"]])  # with VIP: 20 tags
        extra = tags[19]
    answer = client_for(world.a.operator).post(
        f"{LIST}bulk/",
        {
            "bulk_tag": str(extra.uid),
            "contact": [str(found["mei"].uid), str(found["yuki"].uid)],
            "action": "tag",
        },
        headers={"HX-Request": "true"},
    )
    body = answer.content.decode()
    assert "already has 20 tags, the most WeChat allows for one person" in body
    assert 'role="alert"' in body
    with world.a.scope():
        assert not queries.contacts_with_tag(extra).exists()


def test_privacy_is_in_the_navigation_for_those_who_may_open_it(world: World) -> None:
    owner_page = client_for(world.a.owner).get(LIST).content.decode()
    assert 'href="/w/sakura/privacy/"' in owner_page
    assert 'href="/w/sakura/contacts/"' in owner_page
    assert 'href="/w/sakura/privacy/"' not in client_for(world.a.viewer).get(LIST).content.decode()
