"""One contact per person: identities meet on a unionid, and a merge can be undone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shequn.contacts import queries, services
from shequn.contacts.models import Contact, ContactMerge, Identity
from tests.conftest import World

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def test_unionid_merges_oa_follower_and_wecom_customer_and_unmerge_restores_both(
    world: World,
) -> None:
    with world.a.scope():
        follower = services.contact_for_identity(Identity.Kind.OA_OPENID, "oMei", "oa:1")
        services.touch(follower, "oa:1", "poster42", AT)
        services.add_timeline_event(
            follower, "followed", channel_ref="oa:1", occurred_at=AT, source_key="e1"
        )
        services.attach_unionid(follower, "uMei")
        tag = services.create_tag("VIP")
        services.tag_contacts(tag, [follower])
        services.define_attribute(key="city", label="City", value_type="text")
        services.set_attribute(follower, "city", "Osaka")

        customer = services.contact_for_identity(
            Identity.Kind.WECOM_EXTERNAL_USERID, "wmMei", "wecom:1"
        )
        services.touch(customer, "wecom:1", "store_qr", LATER)
        services.add_timeline_event(
            customer, "wecom_added", channel_ref="wecom:1", occurred_at=LATER, source_key="e2"
        )
        services.update_profile(customer, remark="likes toner")
        kept = services.attach_unionid(customer, "uMei")

        assert kept.pk == follower.pk
        assert list(queries.contacts()) == [kept]
        assert {i.value for i in kept.identities.all()} == {"oMei", "wmMei", "uMei"}
        assert [e.kind for e in queries.timeline(kept)] == ["wecom_added", "followed"]
        kept.refresh_from_db()
        assert (kept.first_touch_scene, kept.last_touch_scene) == ("poster42", "store_qr")
        assert kept.remark == "likes toner"

        merge = ContactMerge.objects.get()
        restored = services.unmerge(merge)

        assert restored.pk == customer.pk
        assert set(queries.contacts()) == {follower, customer}
        assert {i.value for i in Identity.objects.filter(contact=customer)} == {"wmMei"}
        assert {i.value for i in Identity.objects.filter(contact=follower)} == {"oMei", "uMei"}
        assert [e.kind for e in queries.timeline(customer)] == ["wecom_added"]
        assert [e.kind for e in queries.timeline(follower)] == ["followed"]
        follower.refresh_from_db()
        assert (follower.last_touch_scene, follower.remark) == ("poster42", "")
        assert list(queries.tags_of(follower)) == [tag]
        assert queries.attribute_value(follower, "city") == "Osaka"
        with pytest.raises(services.UnmergeError):
            services.unmerge(ContactMerge.objects.get())
    with world.b.scope():
        assert not Contact.objects.exists()


def test_merge_keeps_shared_tags_on_both_sides_through_a_round_trip(world: World) -> None:
    with world.a.scope():
        one = services.contact_for_identity(Identity.Kind.OA_OPENID, "o1", "oa:1")
        two = services.contact_for_identity(Identity.Kind.MINIPROGRAM_OPENID, "m1", "mp:1")
        vip = services.create_tag("VIP")
        services.tag_contacts(vip, [one, two])
        kept = services.merge(keep=one, merge_away=two, reason="manual")
        assert list(queries.contacts_with_tag(vip)) == [kept]
        services.unmerge(ContactMerge.objects.get())
        assert set(queries.contacts_with_tag(vip)) == {one, two}


def test_phone_identity_seen_on_two_contacts_merges_them(world: World) -> None:
    with world.a.scope():
        one = services.contact_for_identity(Identity.Kind.OA_OPENID, "o1", "oa:1")
        two = services.contact_for_identity(Identity.Kind.SHOP_OPENID, "s1", "shop:1")
        services.attach_identity(one, Identity.Kind.PHONE, "+8613800000000")
        kept = services.attach_identity(two, Identity.Kind.PHONE, "+8613800000000")
        assert kept.pk == one.pk
        assert queries.contacts().count() == 1
