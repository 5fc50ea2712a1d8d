"""Settings → Audit log: filters, htmx partial, pagination, tenant isolation."""

from __future__ import annotations

from shequn.audit.services import record
from shequn.tenancy.scope import tenant_scope

AUDIT = "/w/sakura/settings/audit/"


def test_filters_and_partial(world, client_for) -> None:
    with tenant_scope(world.a.workspace):
        record("campaign.started", data={})
    with tenant_scope(world.b.workspace):
        record("campaign.secret_b", data={})
    client = client_for(world.a.owner)

    full = client.get(AUDIT).content.decode()
    assert "campaign.started" in full
    assert "member.added" in full
    assert "campaign.secret_b" not in full
    assert 'hx-target="#audit-results"' in full

    partial = client.get(
        AUDIT,
        {"action": "campaign.started"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="audit-results",
    ).content.decode()
    assert "<html" not in partial
    assert "campaign.started" in partial
    assert "member.added" not in partial

    by_actor = client.get(AUDIT, {"actor": "nobody-like-this"}).content.decode()
    assert "No events match these filters." in by_actor

    future = client.get(AUDIT, {"since": "2999-01-01"}).content.decode()
    assert "No events match these filters." in future


def test_pagination(world, client_for) -> None:
    with tenant_scope(world.a.workspace):
        for n in range(55):
            record("bulk.thing", data={"n": n})
    client = client_for(world.a.owner)
    first = client.get(AUDIT, {"action": "bulk.thing"}).content.decode()
    assert first.count("<code>bulk.thing</code>") == 50
    assert "Page 1 of 2" in first
    assert "?action=bulk.thing&amp;page=2" in first
    second = client.get(AUDIT, {"action": "bulk.thing", "page": "2"}).content.decode()
    assert second.count("<code>bulk.thing</code>") == 5
