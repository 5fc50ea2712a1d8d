"""Reading segments and their members (tenant-scoped). Other apps call these for audiences.

Small workspaces are evaluated in SQL; from `SEGMENT_ENGINE_MIN_CONTACTS` contacts (default
100,000) on, the in-memory engine answers. Both give the same members (tests prove it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from shequn.contacts import queries as contact_queries
from shequn.contacts.models import Contact
from shequn.segments import index_build, plan, rules, sql
from shequn.segments.models import Segment
from shequn.tenancy.scope import require_tenant

__all__ = [
    "compile_for_now",
    "count",
    "member_contacts",
    "member_ids",
    "preview",
    "segments",
]

DEFAULT_ENGINE_MIN_CONTACTS = 100_000


def segments() -> QuerySet[Segment]:
    return Segment.objects.order_by("name")


def compile_for_now(rule_tree: dict[str, Any], *, now: datetime | None = None) -> plan.Node:
    """The plan of a rule tree with relative dates resolved for `now` in the workspace's zone."""
    moment = now or timezone.now()
    today = moment.astimezone(ZoneInfo(require_tenant().time_zone)).date()
    return rules.compile_rules(rule_tree, today=today, now=moment)


def _use_engine() -> bool:
    threshold = int(getattr(settings, "SEGMENT_ENGINE_MIN_CONTACTS", DEFAULT_ENGINE_MIN_CONTACTS))
    return contact_queries.contacts().count() >= threshold


def _rules_of(segment: Segment | dict[str, Any]) -> dict[str, Any]:
    return segment.rules if isinstance(segment, Segment) else segment


def count(segment: Segment | dict[str, Any]) -> int:
    node = compile_for_now(_rules_of(segment))
    if _use_engine():
        return index_build.current_index().count(node)
    return sql.members(node).count()


def member_ids(segment: Segment | dict[str, Any]) -> list[int]:
    """Contact primary keys (ascending) of the segment's members now: for sends and routing."""
    node = compile_for_now(_rules_of(segment))
    if _use_engine():
        return [int(i) for i in index_build.current_index().member_ids(node)]
    return list(sql.members(node).order_by("pk").values_list("pk", flat=True))


def member_contacts(segment: Segment | dict[str, Any]) -> QuerySet[Contact]:
    """The members as a Contact queryset (SQL: always exact, chainable, paginatable)."""
    return sql.members(compile_for_now(_rules_of(segment)))


def preview(rule_tree: Any) -> int:
    """The live count while editing: validates (raises `rules.RuleInvalid`) then counts."""
    return count(rules.validate(rule_tree))
