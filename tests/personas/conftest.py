from __future__ import annotations

from collections.abc import Iterator

import pytest

from shequn.ingest.channel_cache import invalidate_channels


@pytest.fixture(autouse=True)
def _fresh_channel_cache() -> Iterator[None]:
    invalidate_channels()
    yield
    invalidate_channels()
