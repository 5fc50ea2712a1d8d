from __future__ import annotations

from collections.abc import Iterator

import pytest

from shequn.core.actors import Actor, acting_as
from shequn.ingest.channel_cache import invalidate_channels
from shequn.ingest.models import InboundEvent
from shequn.tenancy.scope import dangerously_no_tenant_scope
from tests.conftest import Tenant


@pytest.fixture(autouse=True)
def _fresh_channel_cache() -> Iterator[None]:
    invalidate_channels()
    yield
    invalidate_channels()


def as_owner(t: Tenant):
    return acting_as(Actor(kind="user", label=t.owner.email, user_id=t.owner.pk))


def all_events() -> list[InboundEvent]:
    with dangerously_no_tenant_scope():
        # unscoped: tests count rows across both tenants to prove nothing leaked
        return list(InboundEvent.objects.unscoped().order_by("id"))
