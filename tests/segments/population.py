"""A random but realistic contact population in the current tenant, built through services."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequn.contacts import services
from shequn.contacts.models import Contact, Identity
from shequn.segments.dates import months_before
from tests.channels.factories import make_official_account, make_wecom_corp

SCENES = ("qrscene_store", "qrscene_event", "search", "")


@dataclass
class Population:
    tags: list[str] = field(default_factory=list)  # uids
    groups: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


def build(rng: random.Random, prefix: str, size: int = 50) -> Population:
    now = timezone.now()
    oa = make_official_account(appid=f"wx{prefix}0000000001"[:18], name=f"{prefix} OA")
    corp = make_wecom_corp(corpid=f"ww{prefix}0000000001"[:18], name=f"{prefix} WeCom")
    oa_ref, corp_ref = f"oa:{oa.uid}", f"wecom:{corp.uid}"
    pop = Population(accounts=[str(oa.uid)], channels=[oa_ref, corp_ref])
    tags = [services.create_tag(f"{prefix}-tag-{i}") for i in range(5)]
    pop.tags = [str(t.uid) for t in tags]
    services.define_attribute(
        key="baby_birth", label="Baby birth date", value_type="date", derive_age_months=True
    )
    services.define_attribute(key="spend", label="Spend", value_type="number")
    services.define_attribute(
        key="tier", label="Tier", value_type="choice", choices=["gold", "silver", "bronze"]
    )
    services.define_attribute(key="note", label="Note", value_type="text")
    for i in range(size):
        at = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
        roll = rng.random()
        if roll < 0.5:
            contact = services.follow(
                oa, f"o{prefix}{i}", channel_ref=oa_ref, scene=rng.choice(SCENES), at=at
            )
            if rng.random() < 0.2:
                services.unfollow(oa, f"o{prefix}{i}", channel_ref=oa_ref, at=at + timedelta(1))
        elif roll < 0.85:
            contact = services.contact_for_identity(
                Identity.Kind.WECOM_EXTERNAL_USERID, f"wm{prefix}{i}", corp_ref
            )
            services.touch(contact, corp_ref, rng.choice(SCENES), at)
        else:
            contact = services.contact_for_identity(Identity.Kind.UNIONID, f"u{prefix}{i}")
        pop.contacts.append(contact)
        for tag in tags:
            if rng.random() < 0.35:
                services.tag_contacts(tag, [contact])
        if rng.random() < 0.6:
            # Half on the edges of whole months, where an off-by-one day would show.
            today = timezone.localdate()
            born = (
                months_before(today, rng.randint(0, 14)) + timedelta(days=rng.choice([-1, 0, 1]))
                if rng.random() < 0.5
                else today - timedelta(days=rng.randint(0, 500))
            )
            services.set_attribute(contact, "baby_birth", born)
        if rng.random() < 0.5:
            services.set_attribute(contact, "spend", rng.choice([0, 5, 10, 99.5, 250]))
        if rng.random() < 0.5:
            services.set_attribute(contact, "tier", rng.choice(["gold", "silver", "bronze"]))
        if rng.random() < 0.4:
            services.set_attribute(contact, "note", rng.choice(["Likes Tea", "VIP tea", "none"]))
    for g in range(2):
        group = services.group(corp, f"chat{prefix}{g}", now - timedelta(days=30))
        pop.groups.append(str(group.uid))
        members = [f"wm{prefix}{i}" for i in range(size) if rng.random() < 0.3]
        services.members_joined(group, members, corp_ref=corp_ref, join_scene=1, at=now)
        if members and rng.random() < 0.7:
            services.members_left(group, members[:2], quit_scene=0, at=now + timedelta(1))
    # A merge hides one contact: neither path may count it.
    services.merge(keep=pop.contacts[0], merge_away=pop.contacts[1], reason="test")
    return pop


def random_condition(rng: random.Random, pop: Population) -> dict[str, Any]:
    kind = rng.choice(
        [
            "has_tag",
            "lacks_tag",
            "attribute",
            "attribute",
            "last_activity",
            "source_channel",
            "in_group",
            "in_any_group",
            "not_in_any_group",
            "follows",
            "subscribed",
        ]
    )
    if kind in {"has_tag", "lacks_tag"}:
        return {"kind": kind, "tag": rng.choice(pop.tags)}
    if kind == "last_activity":
        return {
            "kind": kind,
            "op": rng.choice(["within", "not_within"]),
            "days": rng.randint(1, 90),
        }
    if kind == "source_channel":
        channel = rng.choice([*pop.channels, "oa", "wecom"])
        return {"kind": kind, "channel": channel, "scene": rng.choice(SCENES)}
    if kind == "in_group":
        return {"kind": kind, "group": rng.choice(pop.groups)}
    if kind == "follows":
        return {"kind": kind, "account": rng.choice(pop.accounts)}
    if kind != "attribute":
        return {"kind": kind}
    key = rng.choice(["baby_birth", "baby_birth", "spend", "tier", "note"])
    if key == "baby_birth":
        op = rng.choice(["months_ago", "last_days", "between"])
        if op == "months_ago":
            low = rng.randint(0, 10)
            return {"kind": kind, "key": key, "op": op, "min": low, "max": low + rng.randint(0, 4)}
        if op == "last_days":
            return {"kind": kind, "key": key, "op": op, "days": rng.randint(1, 200)}
        start = timezone.localdate() - timedelta(days=rng.randint(100, 400))
        end = start + timedelta(days=rng.randint(0, 200))
        return {"kind": kind, "key": key, "op": op, "from": str(start), "to": str(end)}
    if key == "spend":
        op = rng.choice(["eq", "lt", "lte", "gt", "gte"])
        return {"kind": kind, "key": key, "op": op, "value": rng.choice(["0", "10", "99.5", "50"])}
    if key == "tier":
        values = rng.sample(["gold", "silver", "bronze"], rng.randint(1, 2))
        return {"kind": kind, "key": key, "op": "in", "values": values}
    op = rng.choice(["eq", "contains"])
    return {"kind": kind, "key": key, "op": op, "value": rng.choice(["VIP tea", "tea", "none"])}


def random_tree(rng: random.Random, pop: Population, depth: int = 0) -> dict[str, Any]:
    children: list[Any] = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if depth < 2 and roll < 0.2:
            children.append(random_tree(rng, pop, depth + 1))
        elif roll < 0.35:
            children.append({"not": random_condition(rng, pop)})
        else:
            children.append(random_condition(rng, pop))
    return {rng.choice(["all", "any"]): children}
