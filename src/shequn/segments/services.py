"""Writing segments (audited). The rule tree is validated against the current workspace."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.segments import rules
from shequn.segments.models import Segment
from shequn.segments.rules import RuleInvalid

__all__ = ["RuleInvalid", "create_segment", "delete_segment", "update_segment"]


def _name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100:
        raise RuleInvalid([_("A segment needs a name of at most 100 characters.")])
    return cleaned


def _save(segment: Segment) -> Segment:
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:
        raise RuleInvalid([_("A segment with this name already exists.")]) from exc
    return segment


def create_segment(name: str, rule_tree: Any, description: str = "") -> Segment:
    segment = Segment(
        name=_name(name), description=description.strip()[:300], rules=rules.validate(rule_tree)
    )
    _save(segment)
    record("segments.segment.created", target=segment, data={"name": segment.name})
    return segment


def update_segment(
    segment: Segment,
    *,
    name: str | None = None,
    rule_tree: Any = None,
    description: str | None = None,
) -> Segment:
    if name is not None:
        segment.name = _name(name)
    if rule_tree is not None:
        segment.rules = rules.validate(rule_tree)
    if description is not None:
        segment.description = description.strip()[:300]
    _save(segment)
    record("segments.segment.updated", target=segment, data={"name": segment.name})
    return segment


def delete_segment(segment: Segment) -> None:
    record("segments.segment.deleted", target=segment, data={"name": segment.name})
    segment.delete()
