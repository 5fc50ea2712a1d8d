"""/api/v1 reward campaigns and the payout ledger."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["rewards"])
