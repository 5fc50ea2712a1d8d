"""Client-side checks of documented limits, raising `InvalidRequest` before any call is made."""

from __future__ import annotations

from collections.abc import Sized

from shequn.wechat.errors.types import InvalidRequest


def check_chars(field: str, value: str | None, limit: int, *, minimum: int = 0) -> None:
    """Length in characters (the unit most WeChat limits use for names and remarks)."""
    if value is None:
        return
    if len(value) > limit:
        raise InvalidRequest(field, f"at most {limit} characters, got {len(value)}")
    if len(value) < minimum:
        raise InvalidRequest(field, f"at least {minimum} characters, got {len(value)}")


def check_bytes(field: str, value: str | None, limit: int) -> None:
    """Length in UTF-8 bytes (message texts, link titles)."""
    if value is None:
        return
    size = len(value.encode("utf-8"))
    if size > limit:
        raise InvalidRequest(field, f"at most {limit} UTF-8 bytes, got {size}")


def check_count(field: str, items: Sized | None, limit: int, *, minimum: int = 0) -> None:
    """Number of items in a list."""
    if items is None:
        return
    if len(items) > limit:
        raise InvalidRequest(field, f"at most {limit} items, got {len(items)}")
    if len(items) < minimum:
        raise InvalidRequest(field, f"at least {minimum} items, got {len(items)}")


def check_range(field: str, value: int | None, low: int, high: int) -> None:
    """Inclusive integer range."""
    if value is None:
        return
    if not low <= value <= high:
        raise InvalidRequest(field, f"must be within {low}..{high}, got {value}")
