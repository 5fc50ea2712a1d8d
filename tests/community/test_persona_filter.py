"""The groups list filtered by persona (console and API): the groups owned by the staff accounts
wearing the persona, in their own corp only; another tenant's persona is a 404."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from shequn.accounts import services as account_services
from shequn.contacts import services as contacts
from shequn.personas import services as persona_services
from tests.channels.factories import make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _group(corp: Any, chat_id: str, owner: str) -> None:
    group = contacts.group(corp, chat_id, AT)
    contacts.apply_group_detail(
        group,
        {"chat_id": chat_id, "name": chat_id, "owner": owner, "member_list": []},
        corp_ref=f"wecom:{corp.uid}",
        at=AT,
    )


def _setup(t: Tenant) -> dict[str, Any]:
    with t.scope(), as_owner(t):
        corp = make_wecom_corp(corpid=f"ww{t.workspace.slug}p1"[:18])
        other_corp = make_wecom_corp(corpid=f"ww{t.workspace.slug}p2"[:18])
        mika = persona_services.create_persona("Mika")
        ken = persona_services.create_persona("Ken")
        for userid in ("mika1", "mika2"):
            persona_services.update_staff(
                persona_services.staff_account(corp, userid), persona=mika
            )
        persona_services.update_staff(persona_services.staff_account(corp, "ken1"), persona=ken)
        _group(corp, "wrMikaA", "mika1")
        _group(corp, "wrMikaB", "mika2")
        _group(corp, "wrKen", "ken1")
        # Same userid in another corp, not wearing the persona there.
        _group(other_corp, "wrElsewhere", "mika1")
        return {"mika": mika, "ken": ken}


def test_console_groups_by_persona(world: World) -> None:
    built = _setup(world.a)
    client = Client()
    client.force_login(world.a.operator.user)
    url = reverse("console:community_groups", kwargs={"workspace": world.a.workspace.slug})
    page = client.get(url, {"persona": str(built["mika"].uid)}).content.decode()
    assert "wrMikaA" in page
    assert "wrMikaB" in page
    assert "wrKen" not in page
    assert "wrElsewhere" not in page
    assert "Mika" in page  # the persona select lists it
    everyone = client.get(url).content.decode()
    assert all(chat in everyone for chat in ("wrMikaA", "wrKen", "wrElsewhere"))
    outsider = Client()
    outsider.force_login(world.b.owner)
    slug_b = world.b.workspace.slug
    url_b = reverse("console:community_groups", kwargs={"workspace": slug_b})
    assert outsider.get(url_b, {"persona": str(built["mika"].uid)}).status_code == 404


def test_api_groups_by_persona(world: World) -> None:
    built = _setup(world.a)
    with world.a.scope(), as_owner(world.a):
        _, raw = account_services.issue_api_token("persona-filter", ["read"], by=world.a.owner)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    answer = api.get("/api/v1/groups", {"persona": str(built["ken"].uid)})
    assert answer.status_code == 200
    assert [g["chat_id"] for g in answer.json()["items"]] == ["wrKen"]
    mika = api.get("/api/v1/groups", {"persona": str(built["mika"].uid)}).json()["items"]
    assert sorted(g["chat_id"] for g in mika) == ["wrMikaA", "wrMikaB"]
    with world.b.scope(), as_owner(world.b):
        _, raw_b = account_services.issue_api_token("persona-filter", ["read"], by=world.b.owner)
    other = Client(headers={"Authorization": f"Bearer {raw_b}"})
    assert other.get("/api/v1/groups", {"persona": str(built["ken"].uid)}).status_code == 404
