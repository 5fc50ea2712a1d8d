"""Shequn wired to a live sandbox WeCom corp with two staff members behind one persona, a group
pool with one group, for the live-code tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shequn.channels.models import WeComCorp
from shequn.community import services as community_services
from shequn.community.models import GroupPool
from shequn.contacts.models import CustomerGroup
from shequn.livecodes import services
from shequn.livecodes.models import Campaign
from shequn.personas import services as persona_services
from shequn.personas.models import Persona
from tests.channels.factories import WECOM_AES_KEY, WECOM_TOKEN, make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import Sandbox, run_worker

CORPID = "ww00000000000000l1"
SECRET = "livecodes-contact-secret"
STAFF = ("mei", "yuki")


@dataclass
class Wired:
    sandbox: Sandbox
    corp: WeComCorp
    tenant: Tenant
    persona: Persona
    base_url: str

    def act(self, kind: str, *, work: bool = True, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.sandbox.control(
            "POST", f"/wecom/corps/{CORPID}/actions", json={"kind": kind, "wait": True, **fields}
        )
        assert all(d["status"] == "delivered" for d in answer["deliveries"]), answer
        self.sandbox.advance(1)
        if work:
            run_worker()
        return answer["result"]  # type: ignore[no-any-return]

    def group(self, name: str) -> CustomerGroup:
        chat_id = self.act("staff_creates_group", owner_userid=STAFF[0], name=name)["chat_id"]
        with self.tenant.scope():
            found: CustomerGroup = CustomerGroup.objects.get(chat_id=chat_id)
            return found

    def pool(self, name: str) -> GroupPool:
        group = self.group(f"{name} 1")
        with self.tenant.scope(), as_owner(self.tenant):
            pool = community_services.create_pool(corp=self.corp, name=name)
            community_services.add_group_to_pool(pool, group)
            return pool

    def campaign(self, name: str, **fields: Any) -> Campaign:
        with self.tenant.scope(), as_owner(self.tenant):
            return services.create_campaign(
                name=name, corp=self.corp, persona=self.persona, **fields
            )

    def ways(self) -> list[dict[str, Any]]:
        return self.sandbox.control("GET", f"/wecom/corps/{CORPID}/ways")["contact_ways"]  # type: ignore[no-any-return]

    def received(self, external_userid: str) -> list[dict[str, Any]]:
        path = f"/wecom/corps/{CORPID}/contacts/{external_userid}/received"
        return self.sandbox.control("GET", path)["messages"]  # type: ignore[no-any-return]


def corp_doc(callback_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "corpid": CORPID,
        "secret": SECRET,
        "token": WECOM_TOKEN,
        "encoding_aes_key": WECOM_AES_KEY,
        "callback_url": callback_url,
        "staff": [{"userid": userid, "name": userid.title()} for userid in STAFF],
        **extra,
    }


def wire(world: World, sandbox: Sandbox, live_url: str, **corp_extra: Any) -> Wired:
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp(
            corpid=CORPID, contact_secret=SECRET, api_base_url=f"{sandbox.url}/qyapi"
        )
        persona = persona_services.create_persona("Mama Mei", display_name="美美")
        for userid in STAFF:
            staff = persona_services.staff_account(corp, userid)
            persona_services.update_staff(staff, persona=persona, capacity=100)
    callback = f"{live_url}/cb/wecom/{corp.callback_key}/"
    sandbox.control("POST", "/wecom/corps", json=corp_doc(callback, **corp_extra))
    return Wired(sandbox, corp, world.a, persona, live_url)


@pytest.fixture(name="wired")
def wired_fixture(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox, settings: Any
) -> Wired:
    settings.SHEQUN_BASE_URL = live_server.url
    return wire(world, sandbox, live_server.url)
