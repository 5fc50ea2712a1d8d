"""An official account of tenant A wired to a running sandbox (API calls only, no callbacks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shequn.channels import services as channel_services
from shequn.channels.models import OfficialAccount
from tests.channels.factories import OA_AES_KEY, OA_TOKEN, make_official_account
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import Sandbox

APPID = "wx0000000000000c01"
SECRET = "contacts-app-secret"


@dataclass
class OASandbox:
    sandbox: Sandbox
    account: OfficialAccount
    tenant: Tenant

    @property
    def ref(self) -> str:
        return f"oa:{self.account.uid}"

    def add_customer(self, openid: str, **fields: Any) -> None:
        self.sandbox.control(
            "POST", f"/accounts/{APPID}/customers", json={"openid": openid, **fields}
        )

    def customer(self, openid: str) -> dict[str, Any]:
        return self.sandbox.control("GET", f"/accounts/{APPID}/customers/{openid}")  # type: ignore[no-any-return]

    def remote_tags(self) -> list[dict[str, Any]]:
        with self.tenant.scope(), channel_services.official_account_client(self.account) as c:
            return c.tags.get()  # type: ignore[no-any-return]


def wire_oa(world: World, sandbox: Sandbox) -> OASandbox:
    t = world.a
    with t.scope(), as_owner(t):
        account = make_official_account(appid=APPID, secret=SECRET, api_base_url=sandbox.url)
    sandbox.control(
        "POST",
        "/accounts",
        json={
            "appid": APPID,
            "secret": SECRET,
            "token": OA_TOKEN,
            "encoding_aes_key": OA_AES_KEY,
            "kind": "service",
            "verified": True,
            "open_platform": False,
        },
    )
    return OASandbox(sandbox, account, t)
