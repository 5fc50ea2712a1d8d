"""Console import and export pages per role, and tenant B's 404."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shequn.contacts.models import Contact
from shequn.imports.models import ImportJob
from tests.conftest import World


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(getattr(user, "user", user))
    return client


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "people.csv", "手机号,昵称,Whatever\n13912345678,Mei,x\n".encode(), "text/csv"
    )


def test_upload_map_dry_run_and_run(world: World) -> None:
    operator, viewer = _client(world.a.operator), _client(world.a.viewer)
    assert viewer.post("/w/sakura/imports/", {"file": _upload()}).status_code == 403
    uploaded = operator.post("/w/sakura/imports/", {"file": _upload()})
    assert uploaded.status_code == 302
    with world.a.scope():
        job = ImportJob.objects.get()
    page = operator.get(f"/w/sakura/imports/{job.uid}/").content.decode()
    assert '<option value="phone" selected>' in page
    assert '<option value="nickname" selected>' in page
    form = {"map-0": "phone", "map-1": "nickname", "map-2": ""}
    operator.post(f"/w/sakura/imports/{job.uid}/", {**form, "action": "dry_run"})
    with world.a.scope():
        assert Contact.objects.count() == 0
    report = viewer.get(f"/w/sakura/imports/{job.uid}/").content.decode()
    assert "Would create" in report
    assert (
        viewer.post(f"/w/sakura/imports/{job.uid}/", {**form, "action": "run"}).status_code == 403
    )
    operator.post(f"/w/sakura/imports/{job.uid}/", {**form, "action": "run"})
    with world.a.scope():
        assert Contact.objects.get().nickname == "Mei"
    b = _client(world.b.owner)
    assert b.get(f"/w/longjing/imports/{job.uid}/").status_code == 404
    assert "people.csv" not in b.get("/w/longjing/imports/").content.decode()


def test_export_page_needs_export_permission(world: World) -> None:
    owner, operator = _client(world.a.owner), _client(world.a.operator)
    operator.post("/w/sakura/imports/", {"file": _upload()})
    assert operator.get("/w/sakura/imports/export/").status_code == 403
    assert owner.get("/w/sakura/imports/export/").status_code == 200
    with world.a.scope():
        job = ImportJob.objects.get()
    from shequn.imports import services

    with world.a.scope():
        services.run_job(job, dry_run=False)
    response = owner.post(
        "/w/sakura/imports/export/", {"columns": ["phone", "nickname"], "format": "csv"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    assert "13912345678,Mei" in response.content.decode("utf-8-sig")
    b = _client(world.b.owner)
    exported_b = b.post("/w/longjing/imports/export/", {"columns": ["phone"], "format": "csv"})
    assert "13912345678" not in exported_b.content.decode("utf-8-sig")
