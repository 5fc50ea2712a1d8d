"""Shequn wired to a live sandbox WeCom corp with one staff member, for the community tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shequn.channels.models import WeComCorp
from shequn.community import services
from shequn.community.models import GroupPool
from shequn.contacts.models import Contact, CustomerGroup, Identity
from tests.channels.factories import WECOM_AES_KEY, WECOM_TOKEN, make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import Sandbox, run_worker

CORPID = "ww0000000000000c01"
SECRET = "community-contact-secret"
STAFF = "lisi"
CAP = 3  # the sandbox corp's members-per-group limit, so roll-over is cheap to reach


@dataclass
class Wired:
    sandbox: Sandbox
    corp: WeComCorp
    tenant: Tenant

    def act(self, kind: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.sandbox.control(
            "POST", f"/wecom/corps/{CORPID}/actions", json={"kind": kind, "wait": True, **fields}
        )
        assert all(d["status"] == "delivered" for d in answer["deliveries"]), answer
        self.sandbox.advance(1)
        run_worker()
        return answer["result"]  # type: ignore[no-any-return]

    def customer(self, name: str) -> Contact:
        external = self.act("add_staff", userid=STAFF, name=name)["external_userid"]
        with self.tenant.scope():
            return Identity.objects.get(value=external).contact  # type: ignore[no-any-return]

    def external_id(self, contact: Contact) -> str:
        with self.tenant.scope():
            return str(contact.identities.get(kind=Identity.Kind.WECOM_EXTERNAL_USERID).value)

    def new_group(self, name: str) -> CustomerGroup:
        chat_id = self.act("staff_creates_group", owner_userid=STAFF, name=name)["chat_id"]
        with self.tenant.scope():
            group: CustomerGroup = CustomerGroup.objects.get(chat_id=chat_id)
            return group

    def pool(self, name: str, groups: list[CustomerGroup], **fields: Any) -> GroupPool:
        with self.tenant.scope(), as_owner(self.tenant):
            pool = services.create_pool(corp=self.corp, name=name, **fields)
            for group in groups:
                services.add_group_to_pool(pool, group)
            return pool

    def sandbox_group(self, chat_id: str) -> dict[str, Any]:
        return self.sandbox.control("GET", f"/wecom/corps/{CORPID}/groups/{chat_id}")  # type: ignore[no-any-return]

    def sandbox_way(self, config_id: str) -> dict[str, Any]:
        ways = self.sandbox.control("GET", f"/wecom/corps/{CORPID}/ways")["join_ways"]
        found = [w for w in ways if w.get("config_id") == config_id]
        return found[0]  # type: ignore[no-any-return]


def _corp_doc(callback_url: str) -> dict[str, Any]:
    return {
        "corpid": CORPID,
        "secret": SECRET,
        "token": WECOM_TOKEN,
        "encoding_aes_key": WECOM_AES_KEY,
        "callback_url": callback_url,
        "staff": [{"userid": STAFF, "name": "李四"}],
        "limits": {"group_max_members": CAP, "qr_join_max_members": CAP},
    }


@pytest.fixture
def wired(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox, settings: Any
) -> Wired:
    settings.COMMUNITY_WECOM_GROUP_CAP = CAP
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp(
            corpid=CORPID, contact_secret=SECRET, api_base_url=f"{sandbox.url}/qyapi"
        )
    callback = f"{live_server.url}/cb/wecom/{corp.callback_key}/"
    sandbox.control("POST", "/wecom/corps", json=_corp_doc(callback))
    return Wired(sandbox, corp, world.a)
