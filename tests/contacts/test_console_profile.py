"""Console → a contact's profile: per role, edits, attributes, tags, timeline, merges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from shequn.contacts import queries, services
from shequn.contacts.models import Contact, ContactMerge, Identity
from tests.conftest import World
from tests.contacts.test_console import client_for, person

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _url(contact: Contact, rest: str = "") -> str:
    return f"/w/sakura/contacts/{contact.uid}/{rest}"


def test_profile_shows_identities_attribution_groups_and_consent_to_a_viewer(
    world: World,
) -> None:
    with world.a.scope():
        mei = person("oMeiProfile", "Mei Tanaka", remark="likes toner")
        services.attach_identity(mei, Identity.Kind.UNIONID, "uMeiProfile")
        services.add_timeline_event(
            mei,
            "followed",
            channel_ref="oa:one",
            occurred_at=AT,
            source_key="p1",
            data={"scene": "poster42"},
        )
    viewer = client_for(world.a.viewer)
    page = viewer.get(_url(mei))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Mei Tanaka" in body
    assert "uMeiProfile" in body
    assert "UnionID" in body
    assert "Followed the official account" in body
    assert "poster42" in body
    assert "Not asked" in body  # consent state
    assert f"/w/sakura/privacy/contacts/{mei.uid}/" in body
    assert "Save profile" not in body
    assert viewer.post(_url(mei, "profile/"), {"lifecycle_stage": "customer"}).status_code == 403
    assert viewer.post(_url(mei, "tags/"), {"new_tag": "VIP"}).status_code == 403


def test_operator_edits_profile_and_attributes_with_errors_shown(world: World) -> None:
    with world.a.scope():
        mei = person("oMeiEdit", "Mei")
        services.define_attribute(key="visits", label="Visits", value_type="number")
        services.define_attribute(
            key="baby_birthday", label="Baby's birthday", value_type="date", derive_age_months=True
        )
    operator = client_for(world.a.operator)
    saved = operator.post(
        _url(mei, "profile/"),
        {"display_name": "Mei Tanaka", "remark": "VIP at Ginza", "lifecycle_stage": "customer"},
    )
    assert saved.status_code == 302
    with world.a.scope():
        mei.refresh_from_db()
        assert (mei.display_name, mei.remark, mei.lifecycle_stage) == (
            "Mei Tanaka",
            "VIP at Ginza",
            "customer",
        )
    born = timezone.localdate() - timedelta(days=200)
    refused = operator.post(
        _url(mei, "attributes/"), {"attr_visits": "lots", "attr_baby_birthday": born.isoformat()}
    )
    assert refused.status_code == 422
    assert "Visits must be a number." in refused.content.decode()
    assert 'value="lots"' in refused.content.decode()
    with world.a.scope():
        assert queries.attribute_value(mei, "baby_birthday") is None  # all or nothing
    ok = operator.post(
        _url(mei, "attributes/"), {"attr_visits": "3", "attr_baby_birthday": born.isoformat()}
    )
    assert ok.status_code == 302
    with world.a.scope():
        assert queries.attribute_value(mei, "baby_birthday") == born
    months = queries.age_in_months(born, timezone.localdate())
    assert f"{months} months old" in operator.get(_url(mei)).content.decode()
    assert isinstance(born, date)


def test_tags_are_added_and_removed_from_the_profile(world: World) -> None:
    with world.a.scope():
        mei = person("oMeiTags", "Mei")
        vip = services.create_tag("VIP")
    operator = client_for(world.a.operator)
    operator.post(_url(mei, "tags/"), {"action": "add", "tag": str(vip.uid)})
    operator.post(_url(mei, "tags/"), {"action": "add", "new_tag": "Autumn fair"})
    with world.a.scope():
        assert [t.name for t in queries.tags_of(mei)] == ["Autumn fair", "VIP"]
    operator.post(_url(mei, "tags/"), {"action": "remove", "tag": str(vip.uid)})
    with world.a.scope():
        assert [t.name for t in queries.tags_of(mei)] == ["Autumn fair"]
    too_long = operator.post(
        _url(mei, "tags/"), {"action": "add", "new_tag": "x" * 31}, follow=True
    )
    assert "at most 30 characters" in too_long.content.decode()


def test_timeline_is_newest_first_and_loads_more_with_htmx(world: World) -> None:
    with world.a.scope():
        mei = person("oMeiTimeline", "Mei")
        for i in range(25):
            services.add_timeline_event(
                mei,
                "message_received",
                channel_ref="oa:one",
                occurred_at=AT + timedelta(minutes=i),
                source_key=f"t{i}",
                data={"msg_type": "text", "content": f"message number {i:02d}"},
            )
    viewer = client_for(world.a.viewer)
    first = viewer.get(_url(mei)).content.decode()
    assert first.index("message number 24") < first.index("message number 05")
    assert "message number 04" not in first
    assert "Load more" in first
    more = viewer.get(_url(mei, "timeline/"), {"page": 2}, headers={"HX-Request": "true"})
    body = more.content.decode()
    assert "message number 04" in body
    assert "message number 00" in body
    assert "Load more" not in body


def test_merged_contact_redirects_and_the_merge_is_undone_from_the_console(world: World) -> None:
    with world.a.scope():
        follower = person("oMeiMerge", "Mei (official account)")
        services.attach_unionid(follower, "uMeiMerge")
        customer = services.contact_for_identity(
            Identity.Kind.WECOM_EXTERNAL_USERID, "wmMeiMerge", "wecom:1"
        )
        services.update_profile(customer, display_name="Mei (WeCom)")
        kept = services.attach_unionid(customer, "uMeiMerge")
        merged_away = customer if kept.pk == follower.pk else follower
        merge = ContactMerge.objects.get()
    viewer = client_for(world.a.viewer)
    redirect = viewer.get(_url(merged_away))
    assert redirect.status_code == 302
    assert redirect["Location"] == _url(kept)
    page = viewer.get(_url(kept)).content.decode()
    assert "matched on unionid" in page
    assert "Undo merge" not in page
    undo = f"/w/sakura/contacts/merges/{merge.uid}/undo/"
    assert viewer.post(undo).status_code == 403
    operator = client_for(world.a.operator)
    assert "Undo merge" in operator.get(_url(kept)).content.decode()
    done = operator.post(undo, follow=True)
    assert "is a contact of their own again" in done.content.decode()
    with world.a.scope():
        assert set(queries.contacts()) == {follower, customer}
    assert viewer.get(_url(merged_away)).status_code == 200
    again = operator.post(undo, follow=True)
    assert "already been undone" in again.content.decode()
    b = client_for(world.b.owner)
    assert b.post(f"/w/longjing/contacts/merges/{merge.uid}/undo/").status_code == 404
