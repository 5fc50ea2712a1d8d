"""Erasure leaves no personal data anywhere: every column of every table is searched."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from shequn.audit.models import AuditEvent
from shequn.contacts.models import Contact
from shequn.privacy import services
from shequn.privacy.models import DataSubjectRequest, ErasedContact
from shequn.privacy.tasks import erase_contact as erase_task
from tests.conftest import World
from tests.privacy.people import build_person


def _find_everywhere(needles: dict[str, str]) -> list[str]:
    """Every table of every installed model, every column, as text."""
    found: list[str] = []
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = value if isinstance(value, str) else str(value)
                    for what, needle in needles.items():
                        if needle in text:
                            found.append(f"{table}.{column}: {what}")
    return found


def _run_erasure(world: World, person: Any) -> DataSubjectRequest:
    with world.a.scope():
        request = services.request_erasure(person.contact)
        erase_task.call(world.a.workspace.pk, request.pk)
        request.refresh_from_db()
    return request


def test_before_erasure_the_scan_finds_the_person_everywhere(world: World) -> None:
    with world.a.scope():
        person = build_person(world.a)
    found = _find_everywhere(person.needles())
    tables = {f.split(".")[0] for f in found}
    assert {
        "contacts_identity",
        "inbox_message",
        "ingest_inboundevent",
        "personas_staffcustomer",
        "livecodes_attribution",
    } <= tables
    assert {"openid", "message text", "nickname", "phone"} <= {f.split(": ")[1] for f in found}


def test_erasure_removes_the_person_from_every_table(world: World) -> None:
    with world.a.scope():
        person = build_person(world.a)
    request = _run_erasure(world, person)
    assert _find_everywhere(person.needles()) == []
    assert request.state == DataSubjectRequest.State.DONE
    assert request.contact is None
    assert request.subject_ref == str(request.tombstone.uid)  # type: ignore[union-attr]


def test_erasure_keeps_anonymous_counts(world: World) -> None:
    with world.a.scope():
        person = build_person(world.a)
        first_touch = person.contact.first_touch_channel
    _run_erasure(world, person)
    with world.a.scope():
        tombstone = ErasedContact.objects.get()
        assert tombstone.first_touch_channel == first_touch
        assert str(tombstone.first_touch_day) == "2025-03-14"
        assert tombstone.counts["messages_in"] == 1
        assert tombstone.counts["messages_out"] == 1
        assert tombstone.counts["contacts"] == 2
        assert tombstone.counts["callbacks"] == 2
        assert tombstone.counts["consent_records"] == 3
        assert not Contact.objects.filter(pk=person.contact.pk).exists()
        erased = AuditEvent.objects.filter(action="privacy.contact.erased").get()
        assert erased.data["counts"]["tags"] == 1


def test_erasure_leaves_other_people_and_other_tenants_alone(world: World) -> None:
    with world.a.scope():
        person = build_person(world.a, "p1")
        neighbour = build_person(world.a, "p2")
    with world.b.scope():
        stranger = build_person(world.b, "p3")
    _run_erasure(world, person)
    remaining = _find_everywhere(
        {**neighbour.needles(), **{f"b {k}": v for k, v in stranger.needles().items()}}
    )
    assert any("inbox_message" in f for f in remaining)
    with world.b.scope():
        assert Contact.objects.filter(pk=stranger.contact.pk).exists()
    with world.a.scope():
        assert Contact.objects.filter(pk=neighbour.contact.pk).exists()


@pytest.mark.parametrize("kind", ["export", "erasure"])
def test_request_audit_rows_hold_no_personal_data(world: World, kind: str) -> None:
    with world.a.scope():
        person = build_person(world.a)
        if kind == "export":
            services.request_export(person.contact)
    if kind == "erasure":
        _run_erasure(world, person)
    with world.a.scope():
        rows = AuditEvent.objects.filter(action__startswith="privacy.")
        text = " ".join(f"{r.target_label} {r.data}" for r in rows)
    assert rows
    for needle in person.needles().values():
        assert needle not in text
