"""Pools against the sandbox over HTTP: the join way is created on the pool's groups with room,
a full group is never handed out, WeCom's roll-over group is adopted into the pool and the way
moves on to it, and the roster keeps join scene, inviter and state from real events."""

from __future__ import annotations

import pytest

from shequn.community import queries, services
from shequn.community.models import JoinWay, PoolGroup
from shequn.contacts.models import GroupMembership
from tests.community.wired import CAP, STAFF, Wired

pytestmark = pytest.mark.slow


def test_groups_fill_in_turn_and_the_way_rolls_over_into_an_adopted_new_group(
    wired: Wired,
) -> None:
    seed = wired.new_group("Baby 0-3 · 1")
    with wired.tenant.scope():
        seed.refresh_from_db()
        assert (seed.owner_userid, seed.member_count) == (STAFF, 1)
    pool = wired.pool("Baby 0-3 months", [seed], room_base_name="Baby 0-3 · ", max_members=CAP)
    people = [wired.customer(f"mum{i}") for i in range(3)]

    chats = []
    for person in people:
        with wired.tenant.scope():
            invitation = services.route(person, pool=pool)
            assert invitation is not None
            assert invitation.qr_code.startswith("http")
            config_id = invitation.join_way.config_id
        joined = wired.act(
            "join_group", external_userid=wired.external_id(person), join_way_config_id=config_id
        )
        chats.append(joined["chat_id"])

    assert chats[:2] == [seed.chat_id, seed.chat_id]
    assert chats[2] != seed.chat_id  # the seed was full: WeCom made the next group
    with wired.tenant.scope():
        members = list(PoolGroup.objects.filter(pool=pool).order_by("position"))
        assert [m.group.chat_id for m in members] == [seed.chat_id, chats[2]]
        assert members[1].group.name == "Baby 0-3 · 1"
        way = JoinWay.objects.get(pool=pool)
        assert way.chat_ids == [chats[2]]  # the full seed left the way
        health = queries.group_stats(pool=pool, days=7)
        assert (health.size, health.joins, health.quits) == (5, 3, 0)
    assert wired.sandbox_way(way.config_id)["chat_id_list"] == [chats[2]]
    assert len(wired.sandbox_group(seed.chat_id)["member_list"]) == CAP


def test_a_full_group_is_never_handed_out(wired: Wired) -> None:
    full, roomy = wired.new_group("Trial · 1"), wired.new_group("Trial · 2")
    first = wired.customer("early")
    wired.act("join_group", external_userid=wired.external_id(first), chat_id=full.chat_id)
    pool = wired.pool("Trial pack", [full, roomy], max_members=2)  # below WeCom's cap of 3
    with wired.tenant.scope():
        invitation = services.invitation_for(first, pool)
        assert invitation.join_way.chat_ids == [roomy.chat_id]
    assert wired.sandbox_way(invitation.join_way.config_id)["chat_id_list"] == [roomy.chat_id]

    late = wired.customer("late")
    wired.act(
        "join_group",
        external_userid=wired.external_id(late),
        join_way_config_id=invitation.join_way.config_id,
    )
    with wired.tenant.scope():
        # both groups are at the pool's cap and WeCom would not make a new one (2 < 3)
        with pytest.raises(services.PoolUnavailable):
            services.invitation_for(late, pool)
        assert services.route(late, pool=pool) is None


def test_roster_keeps_inviter_scene_state_and_quits(wired: Wired) -> None:
    group = wired.new_group("VIP")
    pool = wired.pool("VIP", [group])
    invited, scanned = wired.customer("invited"), wired.customer("scanned")
    wired.act(
        "join_group",
        external_userid=wired.external_id(invited),
        chat_id=group.chat_id,
        invitor_userid=STAFF,
    )
    with wired.tenant.scope():
        way = services.invitation_for(scanned, pool).join_way
    wired.act(
        "join_group", external_userid=wired.external_id(scanned), join_way_config_id=way.config_id
    )
    wired.act("leave_group", external_userid=wired.external_id(invited), chat_id=group.chat_id)
    with wired.tenant.scope():
        rows = {m.member_id: m for m in GroupMembership.objects.filter(group=group)}
        owner = rows[STAFF]
        assert (owner.member_type, owner.left_at) == (1, None)
        gone = rows[wired.external_id(invited)]
        assert gone.inviter_userid == STAFF
        assert gone.left_at is not None
        came = rows[wired.external_id(scanned)]
        assert (came.join_scene, came.state, came.contact) == (3, way.state, scanned)
        group.refresh_from_db()
        assert group.member_count == 2
        health = queries.group_stats(group, days=30)
        assert (health.joins, health.quits, health.churn_percent) == (2, 1, 33.3)
