"""Console privacy pages per role, and tenant B's 404."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.test import Client

from shequn.privacy.models import ConsentRecord, DataSubjectRequest
from tests.conftest import World
from tests.privacy.people import build_person


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(getattr(user, "user", user))
    return client


def test_contact_page_and_actions_per_role(world: World) -> None:
    with world.a.scope():
        person = build_person(world.a)
    base = f"/w/sakura/privacy/contacts/{person.contact.uid}/"
    owner, operator, viewer = (
        _client(world.a.owner),
        _client(world.a.operator),
        _client(world.a.viewer),
    )
    page = viewer.get(base)
    assert page.status_code == 200
    assert "Withdrawn" in page.content.decode()
    assert f"{base}erase/" not in page.content.decode()
    assert f"{base}erase/" in owner.get(base).content.decode()
    assert (
        viewer.post(base + "consent/", {"purpose": "cross_border", "granted": "1"}).status_code
        == 403
    )
    assert (
        operator.post(base + "consent/", {"purpose": "cross_border", "granted": "1"}).status_code
        == 302
    )
    with world.a.scope():
        assert ConsentRecord.objects.filter(purpose="cross_border", source="operator").exists()
    assert operator.post(base + "export/").status_code == 403
    download = owner.post(base + "export/")
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert person.message_text in archive.read("personal-data.json").decode()
    assert operator.post(base + "erase/", {"confirm": "erase"}).status_code == 403
    assert owner.post(base + "erase/", {"confirm": "nope"}).status_code == 302
    with world.a.scope():
        assert not DataSubjectRequest.objects.filter(kind="erasure").exists()
    assert owner.post(base + "erase/", {"confirm": "erase"}).status_code == 302
    with world.a.scope():
        assert DataSubjectRequest.objects.filter(kind="erasure").count() == 1
    listing = owner.get("/w/sakura/privacy/")
    assert listing.status_code == 200
    assert viewer.get("/w/sakura/privacy/").status_code == 403
    b = _client(world.b.owner)
    assert b.get(base).status_code == 404
    assert b.get(f"/w/longjing/privacy/contacts/{person.contact.uid}/").status_code == 404
    assert b.post(f"/w/longjing/privacy/contacts/{person.contact.uid}/export/").status_code == 404
