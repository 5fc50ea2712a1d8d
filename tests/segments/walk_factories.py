"""Factories for the tenant-isolation walk: a saved segment, via services."""

from __future__ import annotations

from typing import Any

from shequn.segments import services


def factories(built_type: Any) -> dict[str, Any]:
    def segment(t: Any) -> Any:
        made = services.create_segment(
            "sakura-segment-marker", {"all": []}, "sakura-segment-description"
        )
        return built_type(made, ["sakura-segment-marker", "sakura-segment-description"])

    return {"segments.segment": segment}
