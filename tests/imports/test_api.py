"""The imports API with two tenants: upload with mapping and dry run, report, run, export."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shequn.accounts import services as account_services
from shequn.contacts.models import Contact
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.django_db


def _api(t: Tenant) -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("imports-test", ["write"], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_import_through_the_api(world: World) -> None:
    a, b = _api(world.a), _api(world.b)
    upload = SimpleUploadedFile("p.csv", b"Mobile No,Name\n13912345678,Mei\n139x,Bad\n")
    created = a.post(
        "/api/v1/imports",
        {"file": upload, "mapping": json.dumps({"Mobile No": "phone", "Name": "nickname"})},
    )
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["dry_run"] is True
    assert job["state"] == "done"
    assert job["report"]["ok"] == 1
    assert job["report"]["errors"] == [
        {"row": 3, "column": "Mobile No", "message": "Not a valid phone number."}
    ]
    with world.a.scope():
        assert Contact.objects.count() == 0
    url = f"/api/v1/imports/{job['uid']}"
    assert b.get(url).status_code == 404
    assert (
        b.post(url + "/run", {"dry_run": False}, content_type="application/json").status_code == 404
    )
    ran = a.post(url + "/run", {"dry_run": False}, content_type="application/json")
    assert ran.json()["report"]["created"] == 1
    assert a.get(url).json()["state"] == "done"
    assert b.get("/api/v1/imports").json()["items"] == []
    bad = a.post("/api/v1/imports", {"file": upload, "mapping": "[1]"})
    assert bad.status_code == 422
    exported = a.post(
        "/api/v1/exports/contacts",
        {"columns": ["phone", "nickname"], "format": "csv"},
        content_type="application/json",
    )
    assert "13912345678,Mei" in exported.content.decode("utf-8-sig")
    assert "13912345678" not in b.post(
        "/api/v1/exports/contacts", {"columns": ["phone"]}, content_type="application/json"
    ).content.decode("utf-8-sig")
    unknown = a.post(
        "/api/v1/exports/contacts", {"columns": ["password"]}, content_type="application/json"
    )
    assert unknown.status_code == 422
