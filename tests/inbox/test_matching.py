"""The keyword matcher: priorities, match kinds, enabled flags, default and follow, regex safety."""

from __future__ import annotations

import time

import pytest

from shequn.inbox.matching import (
    MAX_INPUT_CHARS,
    ReplySpec,
    RuleInput,
    UnsafePattern,
    build_matcher,
    compile_safe,
)

TEXT = ReplySpec(kind="text", text="hi")


def rule(rule_id: int, patterns: str, **kw: object) -> RuleInput:
    values: dict[str, object] = {
        "rule_id": rule_id,
        "uid": f"r{rule_id}",
        "name": f"rule {rule_id}",
        "trigger": "keyword",
        "match_kind": "exact",
        "patterns": patterns,
        "priority": 100,
        "enabled": True,
        "reply": TEXT,
    }
    values.update(kw)
    return RuleInput(**values)  # type: ignore[arg-type]


def test_lower_priority_number_wins_then_older_rule() -> None:
    matcher = build_matcher(
        [
            rule(1, "price", match_kind="contains", priority=50),
            rule(2, "price", match_kind="contains", priority=10),
            rule(3, "price", match_kind="contains", priority=10),
        ]
    )
    assert matcher.match("what is the PRICE?").uid == "r2"  # type: ignore[union-attr]


def test_exact_contains_and_regex() -> None:
    matcher = build_matcher(
        [
            rule(1, "hello", match_kind="exact"),
            rule(2, "价格\ncost", match_kind="contains"),
            rule(3, r"^order\s*#?\d{4,}$", match_kind="regex"),
        ]
    )
    assert matcher.match("  Hello ").uid == "r1"  # type: ignore[union-attr]
    assert matcher.match("hello there") is None
    assert matcher.match("这个价格多少").uid == "r2"  # type: ignore[union-attr]
    assert matcher.match("Order #12345").uid == "r3"  # type: ignore[union-attr]
    assert matcher.match("order 12") is None


def test_disabled_rules_are_skipped_and_default_answers_the_rest() -> None:
    matcher = build_matcher(
        [
            rule(1, "price", enabled=False),
            rule(2, "", trigger="default"),
            rule(3, "", trigger="follow"),
        ]
    )
    assert matcher.match("price").uid == "r2"  # type: ignore[union-attr]
    assert matcher.follow.uid == "r3"  # type: ignore[union-attr]
    assert matcher.keyword_match("price") is None


@pytest.mark.parametrize(
    "pattern", ["(a+)+$", "(a*)*b", "(.*a){20}", r"(\w+)\1", "(x{1,5})+y", "a" * 201, "(unclosed"]
)
def test_dangerous_or_invalid_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(UnsafePattern):
        compile_safe(pattern)


def test_a_stored_unsafe_rule_is_left_out_not_run() -> None:
    matcher = build_matcher(
        [rule(1, "(a+)+$", match_kind="regex"), rule(2, "a", match_kind="contains")]
    )
    assert matcher.skipped == ("r1",)
    assert matcher.match("aaaa!").uid == "r2"  # type: ignore[union-attr]


def test_long_input_is_cut_before_searching() -> None:
    matcher = build_matcher([rule(1, "needle", match_kind="contains")])
    assert matcher.match("x" * (MAX_INPUT_CHARS + 10) + "needle") is None
    started = time.perf_counter()
    build_matcher([rule(2, r"(a|b)*c", match_kind="regex")]).match("ab" * 100_000)
    assert time.perf_counter() - started < 0.5
