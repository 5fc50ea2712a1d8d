"""/api/v1 pools and groups: group pools, join ways, routing and group health."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["community"])
