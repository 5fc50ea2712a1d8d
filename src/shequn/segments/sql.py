"""The reference evaluation: a plan as one Django query over contacts (not merged away)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shequn.contacts import queries as contact_queries
from shequn.contacts.models import (
    Contact,
    ContactAttribute,
    ContactTag,
    Follower,
    GroupMembership,
)
from shequn.segments import plan


def _attr(definition_id: int, **match: object) -> Q:
    rows = ContactAttribute.objects.filter(definition_id=definition_id, **match)
    return Q(pk__in=rows.values("contact_id"))


def condition(node: plan.Node) -> Q:
    """A Q over Contact; every leaf is a primary-key subquery so NOT never meets a NULL."""
    match node:
        case plan.All(children):
            combined = Q()
            for child in children:
                combined &= condition(child)
            return combined
        case plan.AnyOf(children):
            if not children:
                return Q(pk__in=[])
            either = condition(children[0])
            for child in children[1:]:
                either |= condition(child)
            return either
        case plan.Not(child):
            return ~condition(child)
        case plan.Nothing():
            return Q(pk__in=[])
        case plan.HasTag(tag_id):
            return Q(pk__in=ContactTag.objects.filter(tag_id=tag_id).values("contact_id"))
        case plan.DateBetween(definition_id, low, high):
            bounds: dict[str, object] = {"value_date__isnull": False}
            if low is not None:
                bounds["value_date__gte"] = low
            if high is not None:
                bounds["value_date__lte"] = high
            return _attr(definition_id, **bounds)
        case plan.NumberCompare(definition_id, op, value):
            lookup = "value_number" if op == "eq" else f"value_number__{op}"
            return _attr(definition_id, **{lookup: value})
        case plan.TextEquals(definition_id, value):
            return _attr(definition_id, value_text=value)
        case plan.TextContains(definition_id, value):
            return _attr(definition_id, value_text__icontains=value)
        case plan.ChoiceIn(definition_id, values):
            return _attr(definition_id, value_choice__in=list(values))
        case plan.ActiveSince(since):
            return Q(pk__in=Contact.objects.filter(last_touch_at__gte=since).values("pk"))
        case plan.FirstTouch(channel, scene):
            where = (
                Q(first_touch_channel=channel)
                if ":" in channel
                else Q(first_touch_channel__startswith=f"{channel}:")
            )
            if scene:
                where &= Q(first_touch_scene=scene)
            return Q(pk__in=Contact.objects.filter(where).values("pk"))
        case plan.InGroup(group_id):
            rows = GroupMembership.objects.filter(left_at__isnull=True, contact__isnull=False)
            if group_id is not None:
                rows = rows.filter(group_id=group_id)
            return Q(pk__in=rows.values("contact_id"))
        case plan.Follows(account_id):
            follows = Follower.objects.filter(subscribed=True)
            if account_id is not None:
                follows = follows.filter(account_id=account_id)
            return Q(pk__in=follows.values("contact_id"))
    raise TypeError(f"unknown plan node {node!r}")


def members(node: plan.Node) -> QuerySet[Contact]:
    return contact_queries.contacts().filter(condition(node))
