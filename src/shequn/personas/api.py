"""/api/v1/personas: persona accounts and the wecom staff behind them."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["personas"])
