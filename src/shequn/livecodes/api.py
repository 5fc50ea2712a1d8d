"""/api/v1/livecodes: live codes, acquisition campaigns and package-insert sticker batches."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["livecodes"])
