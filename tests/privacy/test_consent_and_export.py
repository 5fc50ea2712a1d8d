"""Consent by purpose with history, and the export document gathering every app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shequn.contacts import services as contact_services
from shequn.privacy import queries, services
from shequn.privacy.coverage import NO_PERSONAL_DATA, uncovered_models
from shequn.privacy.registry import covered_models
from tests.conftest import World
from tests.privacy.people import build_person

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def test_latest_record_per_purpose_is_the_state_and_history_is_kept(world: World) -> None:
    with world.a.scope():
        contact = contact_services.contact_for_identity("phone", "13912345678")
        assert not queries.has_consent(contact, "marketing")
        services.grant(contact, "marketing", source="form", evidence="signed", at=T0)
        services.grant(contact, "profiling", source="wechat_oauth", at=T0)
        assert queries.has_consent(contact, "marketing")
        services.withdraw(contact, "marketing", source="operator", at=T0 + timedelta(days=3))
        assert not queries.has_consent(contact, "marketing")
        assert queries.has_consent(contact, "profiling")
        current = queries.current_consents(contact)
        assert current["cross_border"] is None
        history = list(queries.history(contact))
        assert [(r.purpose, r.granted, r.source) for r in history] == [
            ("marketing", False, "operator"),
            ("profiling", True, "wechat_oauth"),
            ("marketing", True, "form"),
        ]
        with pytest.raises(services.ConsentError):
            services.grant(contact, "spam", source="form")
    with world.b.scope():
        assert not queries.history(contact).exists()


def test_export_contains_everything_from_every_app(world: World) -> None:
    with world.a.scope():
        person = build_person(world.a)
        request, document = services.request_export(person.contact)
        text = json.loads(services.export_json(person.contact))
    sections = document["sections"]
    assert set(sections) >= {"contacts", "inbox", "ingest", "audit", "privacy", "imports"}
    contacts = sections["contacts"]
    assert {p["nickname"] for p in contacts["profiles"]} >= {person.nickname}
    values = {i["value"] for i in contacts["identities"]}
    assert {
        person.openid,
        person.unionid,
        person.phone,
        person.external_userid,
        person.merged_openid,
    } <= values
    assert contacts["tags"] == ["vip-p1"]
    assert contacts["attributes"][0]["value"] == f"call {person.phone} after 6pm"
    assert contacts["timeline"]
    assert contacts["follows"][0]["openid"] == person.openid
    assert contacts["group_memberships"][0]["member_id"] == person.external_userid
    messages = sections["inbox"]["conversations"][0]["messages"]
    assert {m["direction"] for m in messages} == {"in", "out"}
    assert len(sections["ingest"]["callbacks"]) == 2
    assert [c["purpose"] for c in sections["privacy"]["consents"]] == [
        "marketing",
        "marketing",
        "profiling",
    ]
    assert sections["audit"]["audit_entries"]
    assert text["contact"] == str(person.contact.uid)
    assert request.summary["inbox"] == 1


def test_every_tenant_scoped_model_is_covered_or_declared_free_of_personal_data() -> None:
    assert uncovered_models() == [], (
        "register a privacy provider (shequn/privacy/providers/) or list the model in "
        "privacy.coverage.NO_PERSONAL_DATA with a reason"
    )
    assert not covered_models() & set(NO_PERSONAL_DATA)
    assert {"inbox.message", "ingest.inboundevent", "contacts.identity"} <= covered_models()
