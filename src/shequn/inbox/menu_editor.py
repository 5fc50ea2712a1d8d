"""The menu editor's form: buttons posted as flat fields, the add / remove / move operations, and
the rows a template shows (with byte counts, limits and the problems of each field).

Field names: `b<i>-<field>` for top-level button i, `b<i>-<j>-<field>` for its sub-button j;
`rows` and `b<i>-subs` say how many there are. Everything works as plain form posts; htmx only
swaps the editor in place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from shequn.inbox.menus import (
    BUTTON_TYPES,
    KEY_BYTES,
    KEY_TYPES,
    MAX_SUB,
    MAX_TOP,
    SUB_NAME_BYTES,
    TOP_NAME_BYTES,
    URL_BYTES,
    nbytes,
)

FIELDS = ("name", "type", "key", "url", "appid", "pagepath", "media_id", "article_id")
# Which inputs each type needs (the name is always there).
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(KEY_TYPES, ("key",)),
    "view": ("url",),
    "miniprogram": ("appid", "pagepath", "url"),
    "media_id": ("media_id",),
    "article_id": ("article_id",),
    "article_view_limited": ("article_id",),
}
LIMITS = {"key": KEY_BYTES, "url": URL_BYTES}
LABELS: dict[str, Promise] = {
    "name": gettext_lazy("Name"),
    "key": gettext_lazy("Key"),
    "url": gettext_lazy("Web address"),
    "appid": gettext_lazy("Mini program AppID"),
    "pagepath": gettext_lazy("Page path"),
    "media_id": gettext_lazy("Media ID"),
    "article_id": gettext_lazy("Article ID"),
}
HELP: dict[str, Promise] = {
    "key": gettext_lazy("Sent to you with the click; an auto-reply keyword answers it."),
    "url": gettext_lazy(
        "Starts with https://; for a mini program, the page opened on old clients."
    ),
    "pagepath": gettext_lazy("e.g. pages/index/index"),
    "media_id": gettext_lazy("A permanent material's media_id."),
    "article_id": gettext_lazy("The article_id of a published article."),
}


def _int(value: Any, default: int = 0) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _fields(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {name: str(data.get(f"{prefix}-{name}", "") or "").strip() for name in FIELDS}


def buttons_from_post(
    data: Mapping[str, Any], rule_keys: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The buttons as posted (empty values kept so the operator sees what is missing).

    `rule_keys` maps an auto-reply rule's uid to the key that triggers it: a click button
    answered by a rule takes that key.
    """
    buttons: list[dict[str, Any]] = []
    for i in range(min(_int(data.get("rows")), MAX_TOP + 1)):
        button = _fields(data, f"b{i}")
        subs = []
        for j in range(min(_int(data.get(f"b{i}-subs")), MAX_SUB + 1)):
            sub = _fields(data, f"b{i}-{j}")
            _answer_with_rule(sub, data.get(f"b{i}-{j}-rule"), rule_keys)
            subs.append(sub)
        if subs:
            button["type"] = ""
            button["sub_button"] = subs
        else:
            _answer_with_rule(button, data.get(f"b{i}-rule"), rule_keys)
        buttons.append(button)
    return buttons


def _answer_with_rule(button: dict[str, Any], rule: Any, rule_keys: Mapping[str, str]) -> None:
    if button.get("type") == "click" and rule and str(rule) in rule_keys:
        button["key"] = rule_keys[str(rule)]


def _move(items: list[Any], index: int, step: int) -> None:
    other = index + step
    if 0 <= index < len(items) and 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]


def apply(buttons: list[dict[str, Any]], op: str) -> list[dict[str, Any]]:
    """Apply one editor operation: add, add-sub:i, remove:i[.j], up:i[.j], down:i[.j]."""
    verb, _, where = op.partition(":")
    parts = [_int(p, -1) for p in where.split(".")] if where else []
    if verb == "add" and len(buttons) < MAX_TOP:
        buttons.append({"name": "", "type": "click"})
    elif verb == "add-sub" and len(parts) == 1 and 0 <= parts[0] < len(buttons):
        button = buttons[parts[0]]
        subs = button.setdefault("sub_button", [])
        if len(subs) < MAX_SUB:
            if not subs:
                button["type"] = ""
            subs.append({"name": "", "type": "click"})
    elif verb == "remove" and len(parts) == 1 and 0 <= parts[0] < len(buttons):
        del buttons[parts[0]]
    elif verb == "remove" and len(parts) == 2 and 0 <= parts[0] < len(buttons):
        subs = buttons[parts[0]].get("sub_button") or []
        if 0 <= parts[1] < len(subs):
            del subs[parts[1]]
        if not subs:
            buttons[parts[0]].pop("sub_button", None)
            buttons[parts[0]]["type"] = "click"
    elif verb in ("up", "down"):
        step = -1 if verb == "up" else 1
        if len(parts) == 1:
            _move(buttons, parts[0], step)
        elif len(parts) == 2 and 0 <= parts[0] < len(buttons):
            _move(buttons[parts[0]].get("sub_button") or [], parts[1], step)
    return buttons


def from_json(text: str) -> list[dict[str, Any]]:
    """Buttons from the advanced JSON editor; ValueError when it is not a list of objects."""
    value = json.loads(text)
    if isinstance(value, dict) and "button" in value:
        value = value["button"]
    if not isinstance(value, list) or not all(isinstance(b, dict) for b in value):
        raise ValueError("a list of buttons")
    return value


@dataclass
class Input:
    name: str  # the form field's name
    kind: str  # "name", "key", "url", ...
    value: str
    size: int = 0  # bytes
    limit: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> Promise:
        return LABELS[self.kind]

    @property
    def help(self) -> Promise | None:
        return HELP.get(self.kind)

    @property
    def over(self) -> bool:
        return bool(self.limit) and self.size > self.limit


@dataclass
class Row:
    path: str  # "0" or "0.1"
    prefix: str  # "b0" or "b0-1"
    index: int
    count: int  # buttons at this level
    type: str
    name: Input
    inputs: list[Input]
    errors: list[str]
    rule: str = ""
    subs: list[Row] = field(default_factory=list)

    @property
    def is_parent(self) -> bool:
        return bool(self.subs)

    @property
    def is_first(self) -> bool:
        return self.index == 0

    @property
    def is_last(self) -> bool:
        return self.index == self.count - 1

    @property
    def wants_rule(self) -> bool:
        return self.type == "click"


def _row(
    button: Mapping[str, Any],
    path: str,
    index: int,
    count: int,
    problems: Mapping[str, list[str]],
    key_rules: Mapping[str, str],
) -> Row:
    prefix = "b" + path.replace(".", "-")
    sub = "." in path
    kind = str(button.get("type") or "")

    def make(name: str) -> Input:
        value = str(button.get(name) or "")
        limit = (
            (SUB_NAME_BYTES if sub else TOP_NAME_BYTES) if name == "name" else LIMITS.get(name, 0)
        )
        return Input(
            f"{prefix}-{name}",
            name,
            value,
            nbytes(value),
            limit,
            list(problems.get(f"{path}.{name}", [])),
        )

    inputs = [make(name) for name in TYPE_FIELDS.get(kind, ())]
    errors = list(problems.get(path, [])) + list(problems.get(f"{path}.type", []))
    rule = key_rules.get(str(button.get("key") or ""), "") if kind == "click" else ""
    return Row(path, prefix, index, count, kind, make("name"), inputs, errors, rule)


def rows(
    buttons: list[dict[str, Any]],
    problems: Mapping[str, list[str]],
    key_rules: Mapping[str, str],
) -> list[Row]:
    """What the editor template shows: one row per button, sub-buttons inside their parent.

    `key_rules` maps a trigger key to the auto-reply rule (uid) it belongs to.
    """
    found = []
    for i, button in enumerate(buttons):
        row = _row(button, str(i), i, len(buttons), problems, key_rules)
        subs = button.get("sub_button") or []
        row.subs = [
            _row(sub, f"{i}.{j}", j, len(subs), problems, key_rules)
            for j, sub in enumerate(subs)
            if isinstance(sub, dict)
        ]
        found.append(row)
    return found


TYPE_CHOICES = list(BUTTON_TYPES.items())
