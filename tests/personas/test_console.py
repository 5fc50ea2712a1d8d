"""Console pages of personas: workload with nearly-full accounts, persona form with avatar and
snippets, staff accounts, the sync button; per role and for another tenant (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from shequn.personas import services
from shequn.personas.models import Persona, StaffAccount
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.personas.support import corp_of, staff_with_customers

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(t: Tenant, name: str, **kwargs: Any) -> str:
    return reverse(f"console:{name}", kwargs={"workspace": t.workspace.slug, **kwargs})


def _wanzi(world: World) -> tuple[Persona, StaffAccount]:
    corp = corp_of(world.a)
    with world.a.scope(), as_owner(world.a):
        persona = services.create_persona(
            "Baby care", display_name="Xiao Wanzi", default_capacity=10
        )
        nearly = staff_with_customers(corp, "wanzi01", 9, persona=persona)
        staff_with_customers(corp, "wanzi02", 2, persona=persona)
        staff_with_customers(corp, "spare", 0)
    return persona, nearly


def test_workload_shows_load_and_highlights_accounts_at_90_percent(world: World) -> None:
    _wanzi(world)
    page = _client(world.a.viewer.user).get(_url(world.a, "personas"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Xiao Wanzi" in html
    assert "11 of 20 customers (55% full)" in html
    assert html.count("<tr data-nearly-full") == 1
    assert "data-nearly-full-list" in html
    assert 'value="9"' in html  # the meter of wanzi01
    assert "Without a persona" in html
    # Viewers see no editing controls.
    assert _url(world.a, "personas_new") not in html


def test_persona_form_with_avatar_upload_and_snippets(world: World) -> None:
    client = _client(world.a.operator.user)
    pack = "# Greeting\nHi, I'm Wanzi!\n---\n# Night feeds\nTry a dim light and a quiet voice."
    created = client.post(
        _url(world.a, "personas_new"),
        {
            "name": "Baby care",
            "display_name": "Xiao Wanzi",
            "tone_guide": "Warm and short.",
            "default_capacity": "300",
            "content_pack": pack,
            "avatar": SimpleUploadedFile("me.png", PNG, content_type="image/png"),
        },
    )
    assert created.status_code == 302
    with world.a.scope():
        persona = Persona.objects.get()
    assert persona.content_pack[1] == {
        "title": "Night feeds",
        "text": "Try a dim light and a quiet voice.",
    }
    detail = client.get(created["Location"]).content.decode()
    assert 'data-copy="#snippet-2"' in detail
    assert "Try a dim light and a quiet voice." in detail
    avatar = client.get(_url(world.a, "personas_avatar", uid=persona.uid))
    assert (avatar.status_code, avatar["Content-Type"], avatar.content) == (200, "image/png", PNG)
    # Not an image: refused with the reason, nothing changed.
    bad = client.post(
        _url(world.a, "personas_edit", uid=persona.uid),
        {
            "name": "Baby care",
            "default_capacity": "300",
            "avatar": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", "image/png"),
        },
    )
    assert bad.status_code == 422
    assert "The avatar must be a PNG, JPEG or GIF image." in bad.content.decode()
    with world.a.scope():
        assert Persona.objects.get().tone_guide == "Warm and short."
    # B's owner cannot see or touch A's persona.
    outsider = _client(world.b.owner)
    for name in ("personas_detail", "personas_edit", "personas_avatar"):
        assert outsider.get(_url(world.a, name, uid=persona.uid)).status_code == 404
    assert outsider.get(_url(world.b, "personas_detail", uid=persona.uid)).status_code == 404


def test_placeholder_avatar_and_delete(world: World) -> None:
    persona, _ = _wanzi(world)
    owner = _client(world.a.owner)
    placeholder = owner.get(_url(world.a, "personas_avatar", uid=persona.uid))
    assert placeholder["Content-Type"] == "image/svg+xml"
    assert ">X</text>" in placeholder.content.decode()
    assert (
        _client(world.a.viewer.user)
        .post(_url(world.a, "personas_delete", uid=persona.uid))
        .status_code
        == 403
    )
    assert owner.post(_url(world.a, "personas_delete", uid=persona.uid)).status_code == 302
    with world.a.scope():
        assert not Persona.objects.exists()
        assert StaffAccount.objects.filter(persona__isnull=True).count() == 3


def test_staff_pages_assign_persona_and_capacity(world: World) -> None:
    persona, _ = _wanzi(world)
    operator = _client(world.a.operator.user)
    listing = operator.get(_url(world.a, "personas_staff"), {"persona": "none"}).content.decode()
    assert "spare" in listing
    assert "wanzi01" not in listing
    with world.a.scope():
        spare = StaffAccount.objects.get(userid="spare")
    edit = _url(world.a, "personas_staff_edit", uid=spare.uid)
    saved = operator.post(edit, {"persona": str(persona.uid), "capacity": "50", "active": "on"})
    assert saved.status_code == 302
    with world.a.scope():
        spare.refresh_from_db()
        assert (spare.persona, spare.capacity, spare.active) == (persona, 50, True)
    refused = operator.post(edit, {"persona": str(persona.uid), "capacity": "0"})
    assert refused.status_code == 422
    viewer = _client(world.a.viewer.user)
    assert viewer.get(edit).status_code == 200
    assert viewer.post(edit, {"persona": ""}).status_code == 403
    assert _client(world.b.owner).get(edit).status_code == 404
    # The persona page tells who gets the next customer.
    detail = operator.get(_url(world.a, "personas_detail", uid=persona.uid)).content.decode()
    assert "Next" in detail


def test_sync_button_queues_a_sync_per_corp(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    corp_of(world.a)
    operator = _client(world.a.operator.user)
    with django_capture_on_commit_callbacks(execute=True):
        done = operator.post(_url(world.a, "personas_sync"), {"back": "staff"})
    assert done.status_code == 302
    assert done["Location"] == _url(world.a, "personas_staff")
    assert [t.task_path for t in DBTaskResult.objects.all()] == [
        "shequn.personas.tasks.sync_corp_staff"
    ]
    assert _client(world.a.viewer.user).post(_url(world.a, "personas_sync")).status_code == 403
