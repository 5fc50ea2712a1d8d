from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    """A test client signed in as this user (or the user of this membership)."""

    def make(who: Any) -> Client:
        client = Client()
        client.force_login(getattr(who, "user", who))
        return client

    return make
