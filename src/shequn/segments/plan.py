"""A rule tree resolved for one workspace at one moment: the input of both evaluation paths.

`rules.compile_rules` turns the stored JSON into these nodes once per query: uids become ids and
relative dates become absolute bounds computed from "today" in the workspace's time zone, so the
SQL path and the in-memory engine answer exactly the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Nothing:
    """A reference to something that no longer exists (a deleted tag): matches nobody."""


@dataclass(frozen=True)
class HasTag:
    tag_id: int


@dataclass(frozen=True)
class DateBetween:
    definition_id: int
    low: date | None  # inclusive
    high: date | None  # inclusive


@dataclass(frozen=True)
class NumberCompare:
    definition_id: int
    op: str  # eq, lt, lte, gt, gte
    value: Decimal


@dataclass(frozen=True)
class TextEquals:
    definition_id: int
    value: str


@dataclass(frozen=True)
class TextContains:
    definition_id: int
    value: str  # matched case-insensitively


@dataclass(frozen=True)
class ChoiceIn:
    definition_id: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class ActiveSince:
    """Last activity (`Contact.last_touch_at`) at or after `since`."""

    since: datetime


@dataclass(frozen=True)
class FirstTouch:
    """First-touch channel: an exact channel ref ("oa:<uid>") or a kind ("oa"); optional scene."""

    channel: str
    scene: str = ""


@dataclass(frozen=True)
class InGroup:
    group_id: int | None  # None: any customer group


@dataclass(frozen=True)
class Follows:
    account_id: int | None  # None: any official account


Node = (
    All
    | AnyOf
    | Not
    | Nothing
    | HasTag
    | DateBetween
    | NumberCompare
    | TextEquals
    | TextContains
    | ChoiceIn
    | ActiveSince
    | FirstTouch
    | InGroup
    | Follows
)
