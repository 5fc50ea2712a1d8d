"""The console builder's form: a flat list of condition rows under one all/any group.

Each row is a condition, negated when "exclude" is ticked. Trees the builder cannot show as rows
(nested groups, made through the API) are edited as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

ROW_FIELDS = (
    "kind",
    "tag",
    "key",
    "op",
    "value",
    "values",
    "min",
    "max",
    "days",
    "from",
    "to",
    "channel",
    "scene",
    "group",
    "account",
)
MAX_ROWS = 30


@dataclass
class BuilderState:
    match: str = "all"
    rows: list[dict[str, Any]] = field(default_factory=list)
    advanced: str = ""  # JSON of a tree the rows cannot express

    def tree(self) -> Any:
        if self.advanced:
            try:
                return json.loads(self.advanced)
            except ValueError:
                return None
        conditions: list[Any] = []
        for row in self.rows:
            condition = {k: v for k, v in row.items() if k in ROW_FIELDS and v not in ("", None)}
            if condition.get("kind") == "attribute" and "values" in condition:
                condition["values"] = [v for v in row.get("values_list", []) if v]
            conditions.append({"not": condition} if row.get("exclude") else condition)
        return {self.match: conditions}


def from_post(data: QueryDict) -> BuilderState:
    state = BuilderState(match="any" if data.get("match") == "any" else "all")
    if data.get("advanced"):
        state.advanced = str(data["advanced"])
        return state
    count = min(int(data.get("row_count", "0") or 0), MAX_ROWS)
    for i in range(count):
        prefix = f"row-{i}-"
        if f"{prefix}kind" not in data or data.get(f"{prefix}removed"):
            continue
        row: dict[str, Any] = {name: data.get(prefix + name, "") for name in ROW_FIELDS}
        row["values_list"] = data.getlist(prefix + "values")
        row["values"] = ",".join(row["values_list"])
        row["exclude"] = bool(data.get(prefix + "exclude"))
        state.rows.append(row)
    return state


def from_tree(tree: dict[str, Any]) -> BuilderState:
    match = "any" if "any" in tree else "all"
    state = BuilderState(match=match)
    for node in tree.get(match, []):
        exclude = isinstance(node, dict) and "not" in node
        condition = node["not"] if exclude else node
        if not isinstance(condition, dict) or "kind" not in condition:
            return BuilderState(match=match, advanced=json.dumps(tree, ensure_ascii=False))
        row: dict[str, Any] = {name: condition.get(name, "") for name in ROW_FIELDS}
        row["values_list"] = list(condition.get("values", []))
        row["exclude"] = exclude
        state.rows.append(row)
    return state


def blank_row() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS, "")
    row.update(kind="has_tag", values_list=[], exclude=False)
    return row
