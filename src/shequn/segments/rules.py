"""The rule tree of a segment: its JSON shape, validation with translated messages, compilation.

    {"all": [node, ...]}  {"any": [node, ...]}  {"not": node}  or a condition:
    {"kind": "has_tag", "tag": "<tag uid>"}            {"kind": "lacks_tag", "tag": "<tag uid>"}
    {"kind": "attribute", "key": "<attribute key>", "op": ..., ...}
        text: eq / contains + "value"; number: eq lt lte gt gte + "value"; choice: in + "values";
        date: between + "from"/"to" (ISO dates, either may be empty), months_ago + "min"/"max"
        (whole months, inclusive: a baby 6-8 months old), last_days + "days" (today included)
    {"kind": "last_activity", "op": "within" | "not_within", "days": N}
    {"kind": "source_channel", "channel": "oa" | "wecom" | "oa:<uid>" | ..., "scene": ""}
    {"kind": "in_group", "group": "<group uid>"}  {"kind": "in_any_group"}
    {"kind": "not_in_any_group"}  {"kind": "follows", "account": "<account uid>"}
    {"kind": "subscribed"}

Relative dates are resolved by `compile_rules` against today in the workspace's time zone, every
time the segment is evaluated: membership moves as time passes without rewriting anything.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from shequn.channels.models import OfficialAccount
from shequn.contacts.models import AttributeDefinition, CustomerGroup, Follower, Tag
from shequn.segments import plan
from shequn.segments.dates import months_ago_bounds

MAX_CONDITIONS = 30
MAX_DEPTH = 4
MAX_DAYS = 36_500
MAX_MONTHS = 1_200
TYPE_OPS: dict[str, frozenset[str]] = {
    "text": frozenset({"eq", "contains"}),
    "number": frozenset({"eq", "lt", "lte", "gt", "gte"}),
    "choice": frozenset({"in"}),
    "date": frozenset({"between", "months_ago", "last_days"}),
}
KINDS = frozenset(
    {
        "has_tag",
        "lacks_tag",
        "attribute",
        "last_activity",
        "source_channel",
        "in_group",
        "in_any_group",
        "not_in_any_group",
        "follows",
        "subscribed",
    }
)


class RuleInvalid(ValueError):
    """The rule tree does not hold together; `errors` are translated, one per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def empty_rules() -> dict[str, Any]:
    return {"all": []}


def _int(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


class _Validator:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.conditions = 0
        self.definitions = {d.key: d for d in AttributeDefinition.objects.all()}

    def node(self, raw: Any, depth: int) -> dict[str, Any] | None:
        if depth > MAX_DEPTH:
            self.errors.append(_("Rules are nested too deeply (at most %d levels).") % MAX_DEPTH)
            return None
        if not isinstance(raw, dict):
            self.errors.append(_("Each rule must be a group or a condition."))
            return None
        for group in ("all", "any"):
            if group in raw:
                children = raw[group]
                if not isinstance(children, list):
                    self.errors.append(_("A group must hold a list of rules."))
                    return None
                cleaned = [self.node(child, depth + 1) for child in children]
                return {group: [c for c in cleaned if c is not None]}
        if "not" in raw:
            child = self.node(raw["not"], depth + 1)
            return {"not": child} if child is not None else None
        return self.condition(raw)

    def condition(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        self.conditions += 1
        kind = raw.get("kind")
        if kind not in KINDS:
            self.errors.append(_("Unknown condition: %s.") % str(kind)[:40])
            return None
        if kind in {"has_tag", "lacks_tag"}:
            uid = str(raw.get("tag", ""))
            if not Tag.objects.filter(uid=_uid_or_none(uid)).exists():
                self.errors.append(_("Choose a tag."))
                return None
            return {"kind": kind, "tag": uid}
        if kind == "attribute":
            return self.attribute(raw)
        if kind == "last_activity":
            days = _int(raw.get("days"), 1, MAX_DAYS)
            if raw.get("op") not in {"within", "not_within"} or days is None:
                self.errors.append(
                    _("Last activity needs 'within' or 'not within' and a number of days.")
                )
                return None
            return {"kind": kind, "op": raw["op"], "days": days}
        if kind == "source_channel":
            channel = str(raw.get("channel", "")).strip()
            if not channel or len(channel) > 80:
                self.errors.append(_("Choose a source channel."))
                return None
            return {"kind": kind, "channel": channel, "scene": str(raw.get("scene", ""))[:128]}
        if kind == "in_group":
            uid = str(raw.get("group", ""))
            if not CustomerGroup.objects.filter(uid=_uid_or_none(uid)).exists():
                self.errors.append(_("Choose a customer group."))
                return None
            return {"kind": kind, "group": uid}
        if kind == "follows":
            uid = str(raw.get("account", ""))
            if not OfficialAccount.objects.filter(uid=_uid_or_none(uid)).exists():
                self.errors.append(_("Choose an official account."))
                return None
            return {"kind": kind, "account": uid}
        return {"kind": kind}

    def attribute(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        definition = self.definitions.get(str(raw.get("key", "")))
        if definition is None:
            self.errors.append(_("Choose an attribute."))
            return None
        op = raw.get("op")
        if op not in TYPE_OPS[definition.value_type]:
            self.errors.append(
                _("The comparison does not fit the attribute %s.") % definition.label
            )
            return None
        out: dict[str, Any] = {"kind": "attribute", "key": definition.key, "op": op}
        if definition.value_type == "text":
            value = str(raw.get("value", "")).strip()
            if not value:
                self.errors.append(_("Enter a text to compare %s with.") % definition.label)
                return None
            out["value"] = value[:1000]
        elif definition.value_type == "number":
            try:
                out["value"] = str(Decimal(str(raw.get("value", "")).strip()))
            except InvalidOperation:
                self.errors.append(_("Enter a number to compare %s with.") % definition.label)
                return None
        elif definition.value_type == "choice":
            values = raw.get("values")
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not values:
                self.errors.append(_("Pick at least one value of %s.") % definition.label)
                return None
            unknown = [v for v in values if v not in definition.choices]
            if unknown:
                self.errors.append(_("%s has no such choice.") % definition.label)
                return None
            out["values"] = [str(v) for v in values]
        elif op == "between":
            low, high = raw.get("from") or "", raw.get("to") or ""
            low_d, high_d = _iso_date(low) if low else None, _iso_date(high) if high else None
            if (low and low_d is None) or (high and high_d is None) or not (low or high):
                self.errors.append(_("Enter the dates as YYYY-MM-DD (at least one)."))
                return None
            if low_d and high_d and low_d > high_d:
                self.errors.append(_("The first date must not be after the second."))
                return None
            out["from"], out["to"] = str(low_d or ""), str(high_d or "")
        elif op == "months_ago":
            low_m, high_m = _int(raw.get("min"), 0, MAX_MONTHS), _int(raw.get("max"), 0, MAX_MONTHS)
            if low_m is None or high_m is None or low_m > high_m:
                self.errors.append(_("Enter a range of whole months, the smaller number first."))
                return None
            out["min"], out["max"] = low_m, high_m
        else:
            days = _int(raw.get("days"), 1, MAX_DAYS)
            if days is None:
                self.errors.append(_("Enter a number of days between 1 and %d.") % MAX_DAYS)
                return None
            out["days"] = days
        return out


def _uid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def validate(raw: Any) -> dict[str, Any]:
    """The cleaned rule tree, or RuleInvalid with every problem found (current tenant's data)."""
    validator = _Validator()
    if not isinstance(raw, dict) or not ({"all", "any"} & set(raw)):
        raise RuleInvalid([_("The rules must start with an 'all' or 'any' group.")])
    cleaned = validator.node(raw, 0)
    if validator.conditions > MAX_CONDITIONS:
        validator.errors.append(_("At most %d conditions in one segment.") % MAX_CONDITIONS)
    if validator.errors or cleaned is None:
        raise RuleInvalid(validator.errors or [_("The rules are not valid.")])
    return cleaned


class _Compiler:
    def __init__(self, today: date, now: datetime) -> None:
        self.today, self.now = today, now
        self.tags = dict(Tag.objects.values_list("uid", "id"))
        self.definitions = {d.key: d for d in AttributeDefinition.objects.all()}
        self.groups = dict(CustomerGroup.objects.values_list("uid", "id"))
        self.accounts = dict(Follower.objects.values_list("account__uid", "account_id").distinct())

    def node(self, raw: dict[str, Any]) -> plan.Node:
        if "all" in raw:
            return plan.All(tuple(self.node(c) for c in raw["all"]))
        if "any" in raw:
            return plan.AnyOf(tuple(self.node(c) for c in raw["any"]))
        if "not" in raw:
            return plan.Not(self.node(raw["not"]))
        return self.condition(raw)

    def _ref(self, table: dict[Any, int], uid: str) -> int | None:
        key = _uid_or_none(uid)
        return next((v for k, v in table.items() if str(k) == key), None)

    def condition(self, raw: dict[str, Any]) -> plan.Node:
        kind = raw["kind"]
        if kind in {"has_tag", "lacks_tag"}:
            tag_id = self._ref(self.tags, raw["tag"])
            found: plan.Node = plan.HasTag(tag_id) if tag_id is not None else plan.Nothing()
            return found if kind == "has_tag" else plan.Not(found)
        if kind == "attribute":
            return self.attribute(raw)
        if kind == "last_activity":
            since = plan.ActiveSince(self.now - timedelta(days=int(raw["days"])))
            return since if raw["op"] == "within" else plan.Not(since)
        if kind == "source_channel":
            return plan.FirstTouch(raw["channel"], raw.get("scene", ""))
        if kind == "in_group":
            group_id = self._ref(self.groups, raw["group"])
            return plan.InGroup(group_id) if group_id is not None else plan.Nothing()
        if kind == "in_any_group":
            return plan.InGroup(None)
        if kind == "not_in_any_group":
            return plan.Not(plan.InGroup(None))
        if kind == "follows":
            account_id = self._ref(self.accounts, raw["account"])
            return plan.Follows(account_id) if account_id is not None else plan.Nothing()
        if kind == "subscribed":
            return plan.Follows(None)
        raise RuleInvalid([_("Unknown condition: %s.") % str(kind)[:40]])

    def attribute(self, raw: dict[str, Any]) -> plan.Node:
        definition = self.definitions.get(raw["key"])
        if definition is None or raw["op"] not in TYPE_OPS[definition.value_type]:
            return plan.Nothing()
        pk, op = definition.pk, raw["op"]
        if op == "contains":
            return plan.TextContains(pk, raw["value"])
        if definition.value_type == "text":
            return plan.TextEquals(pk, raw["value"])
        if definition.value_type == "number":
            return plan.NumberCompare(pk, op, Decimal(raw["value"]))
        if definition.value_type == "choice":
            return plan.ChoiceIn(pk, tuple(raw["values"]))
        if op == "between":
            return plan.DateBetween(pk, _iso_date(raw["from"]), _iso_date(raw["to"]))
        if op == "months_ago":
            # Whole months, as `contacts` derives a baby's age.
            earliest, latest = months_ago_bounds(self.today, int(raw["min"]), int(raw["max"]))
            return plan.DateBetween(pk, earliest, latest)
        return plan.DateBetween(pk, self.today - timedelta(days=int(raw["days"])), self.today)


def compile_rules(cleaned: dict[str, Any], *, today: date, now: datetime) -> plan.Node:
    """The plan of a validated tree in the current tenant, with relative dates made absolute."""
    return _Compiler(today, now).node(cleaned)
