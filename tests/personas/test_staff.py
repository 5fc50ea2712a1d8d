"""Staff accounts and their customers: events through ingest, replays, balancing under capacity."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from shequn.contacts.models import Contact
from shequn.ingest import services as ingest_services
from shequn.ingest.models import InboundEvent
from shequn.personas import queries, services
from shequn.personas.models import StaffAccount, StaffCustomer
from tests.conftest import World
from tests.ingest import wire
from tests.ingest.conftest import as_owner
from tests.personas.support import corp_of, process_inbox, push_wecom, staff_with_customers

pytestmark = pytest.mark.django_db


def _event(change: str, userid: str, external: str, at: int, state: str = "") -> str:
    fields = {"UserID": userid, "ExternalUserID": external}
    if state:
        fields["State"] = state
    return wire.wecom_event_xml(change, created=at, **fields)


def test_add_and_remove_events_keep_each_accounts_customers(world: World) -> None:
    corp = corp_of(world.a)
    t0 = int(time.time()) - 600
    push_wecom(corp, _event("add_external_contact", "zhangsan", "wmAiko", t0, "pkg-lot7"))
    push_wecom(corp, _event("add_external_contact", "zhangsan", "wmBo", t0 + 1))
    push_wecom(corp, _event("add_half_external_contact", "lisi", "wmChen", t0 + 2))
    push_wecom(corp, _event("del_follow_user", "zhangsan", "wmAiko", t0 + 3))
    push_wecom(corp, _event("del_external_contact", "lisi", "wmChen", t0 + 4))
    process_inbox(world.a)
    with world.a.scope():
        zhangsan = queries.staff_by_userid(corp, "zhangsan")
        assert zhangsan is not None
        assert zhangsan.name == "zhangsan"  # first seen in an event, named by its userid
        assert queries.load(zhangsan) == 1
        aiko = StaffCustomer.objects.get(external_userid="wmAiko")
        assert (aiko.state, aiko.removed_by) == ("pkg-lot7", "customer")
        assert aiko.contact == Contact.objects.get(identities__value="wmAiko")
        lisi = queries.staff_by_userid(corp, "lisi")
        assert lisi is not None
        assert queries.load(lisi) == 0
        assert StaffCustomer.objects.get(external_userid="wmChen").removed_by == "staff"
        # Every event replayed: nothing changes.
        with as_owner(world.a):
            for event in InboundEvent.objects.all():
                ingest_services.replay_event(event)
    process_inbox(world.a)
    with world.a.scope():
        assert StaffCustomer.objects.count() == 3
        assert queries.load(zhangsan) == 1
        assert StaffCustomer.objects.get(external_userid="wmAiko").removed_at is not None
    # The customer comes back later: a current customer again, with the new state.
    push_wecom(corp, _event("add_external_contact", "zhangsan", "wmAiko", t0 + 100, "store-3"))
    process_inbox(world.a)
    with world.a.scope():
        assert queries.load(zhangsan) == 2
        aiko = StaffCustomer.objects.get(external_userid="wmAiko")
        assert (aiko.state, aiko.removed_at, aiko.removed_by) == ("store-3", None, "")


def test_stale_events_do_not_undo_newer_ones(world: World) -> None:
    corp = corp_of(world.a)
    now = timezone.now()
    with world.a.scope():
        services.customer_added(corp, "zhangsan", "wmX", at=now)
        # A removal from before this add (delivered late) is ignored.
        services.customer_removed(corp, "zhangsan", "wmX", at=now - timedelta(hours=1), by="staff")
        assert StaffCustomer.objects.get().removed_at is None
        services.customer_removed(
            corp, "zhangsan", "wmX", at=now + timedelta(minutes=1), by="staff"
        )
        # An add from before the removal (replayed) does not bring the customer back.
        services.customer_added(corp, "zhangsan", "wmX", at=now)
        assert StaffCustomer.objects.get().removed_at is not None


def test_available_staff_is_least_loaded_first_and_never_above_capacity(world: World) -> None:
    corp = corp_of(world.a)
    with world.a.scope(), as_owner(world.a):
        persona = services.create_persona("Xiao Wanzi", default_capacity=4)
        other = services.create_persona("Tea Master")
        busy = staff_with_customers(corp, "busy", 3, persona=persona)
        calm = staff_with_customers(corp, "calm", 1, persona=persona)
        full = staff_with_customers(corp, "full", 2, persona=persona, capacity=2)
        big = staff_with_customers(corp, "big", 5, persona=persona, capacity=20)
        off = staff_with_customers(corp, "off", 0, persona=persona)
        services.update_staff(off, active=False)
        staff_with_customers(corp, "elsewhere", 0, persona=other)
        staff_with_customers(corp, "nobody", 0)
        # big: 5/20 = 25 %, calm 1/4 = 25 % (fewer customers first), busy 3/4; full and off never.
        order = [s.userid for s in queries.available_staff(persona)]
        assert order == ["calm", "big", "busy"]
        assert [s.current_load for s in queries.available_staff(persona)] == [1, 5, 3]
        # Route customers one by one to the first available account until all are full.
        routed = 0
        while (candidates := queries.available_staff(persona)) and routed < 100:
            first = candidates[0]
            services.customer_added(corp, first.userid, f"wmRouted{routed}", at=timezone.now())
            routed += 1
        assert routed == (4 - 3) + (4 - 1) + (20 - 5)
        for staff in (busy, calm, full, big):
            staff.refresh_from_db()
            assert queries.load(staff) == staff.effective_capacity
        assert queries.load(off) == 0
        assert queries.persona_of_userid(corp, "calm") == persona
        assert queries.persona_of_userid(corp, "nobody") is None
        assert queries.persona_of_userid(corp, "unknown") is None


def test_capacity_defaults_to_the_persona_then_to_wecoms_initial_limit(world: World) -> None:
    corp = corp_of(world.a)
    with world.a.scope(), as_owner(world.a):
        persona = services.create_persona("Aunt Mei", default_capacity=300)
        staff = services.staff_account(corp, "mei01")
        assert staff.effective_capacity == 5000
        services.update_staff(staff, persona=persona)
        assert StaffAccount.objects.get(pk=staff.pk).effective_capacity == 300
        services.update_staff(staff, capacity=800)
        assert StaffAccount.objects.get(pk=staff.pk).effective_capacity == 800
        with pytest.raises(services.PersonaInvalid):
            services.update_staff(staff, capacity=0)


def test_persona_validation_and_content_pack(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        persona = services.create_persona(
            "Xiao Wanzi",
            display_name="小丸子",
            tone_guide="Warm, short sentences, one emoji at most.",
            content_pack=[{"title": "Greeting", "text": "Hi! I'm Wanzi 🌸"}, {"text": " "}],
        )
        assert persona.content_pack == [{"title": "Greeting", "text": "Hi! I'm Wanzi 🌸"}]
        with pytest.raises(services.PersonaInvalid) as dup:
            services.create_persona("Xiao Wanzi")
        assert dup.value.errors == ["A persona with this name already exists."]
        with pytest.raises(services.PersonaInvalid) as bad:
            services.create_persona("", avatar_url="ftp://x", default_capacity="lots")
        assert len(bad.value.errors) == 3
