"""Against the sandbox over HTTP: the Sync staff task reads WeCom's customer-contact staff and
their names, marks members who lost customer contact inactive, and is idempotent; a customer who
adds a staff member through a contact way shows up in that account's load via the callback."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.channels.models import WeComCorp
from shequn.personas import queries, services
from shequn.personas.models import StaffAccount
from tests.channels.factories import WECOM_AES_KEY, WECOM_TOKEN, make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import (
    Sandbox,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)

pytestmark = pytest.mark.slow

CORPID = "ww00000000000000p1"
SECRET = "personas-contact-secret"
STAFF = [
    {"userid": "wanzi01", "name": "小丸子 01"},
    {"userid": "wanzi02", "name": "小丸子 02"},
    {"userid": "it-admin", "name": "IT", "customer_contact": False},
]


def _connect(t: Tenant, sandbox: Sandbox) -> WeComCorp:
    with t.scope(), as_owner(t):
        return make_wecom_corp(
            corpid=CORPID, contact_secret=SECRET, api_base_url=f"{sandbox.url}/qyapi"
        )


def _sync(t: Tenant, corp: WeComCorp) -> None:
    with t.scope(), as_owner(t):
        services.request_staff_sync(corp)
    run_worker()


def _accounts(t: Tenant) -> dict[str, tuple[str, bool, bool]]:
    with t.scope():
        return {
            s.userid: (s.name, s.customer_contact_enabled, s.active)
            for s in StaffAccount.objects.all()
        }


def test_sync_staff_names_permissions_and_idempotence(
    transactional_db: None, world: World, sandbox: Sandbox
) -> None:
    sandbox.control(
        "POST", "/wecom/corps", json={"corpid": CORPID, "secret": SECRET, "staff": STAFF}
    )
    corp = _connect(world.a, sandbox)
    _sync(world.a, corp)
    assert _accounts(world.a) == {
        "wanzi01": ("小丸子 01", True, True),
        "wanzi02": ("小丸子 02", True, True),
    }
    _sync(world.a, corp)  # again: nothing new
    assert len(_accounts(world.a)) == 2
    # wanzi02 loses customer contact, wanzi01 is renamed, a new member arrives.
    staff = [
        {"userid": "wanzi01", "name": "Wanzi Prime"},
        {"userid": "wanzi02", "name": "小丸子 02", "customer_contact": False},
        {"userid": "wanzi03", "name": "小丸子 03"},
    ]
    sandbox.control("PATCH", f"/wecom/corps/{CORPID}", json={"staff": staff})
    _sync(world.a, corp)
    assert _accounts(world.a) == {
        "wanzi01": ("Wanzi Prime", True, True),
        "wanzi02": ("小丸子 02", False, False),
        "wanzi03": ("小丸子 03", True, True),
    }
    with world.a.scope(), as_owner(world.a):
        persona = services.create_persona("Wanzi")
        for account in StaffAccount.objects.all():
            services.update_staff(account, persona=persona)
        assert [s.userid for s in queries.available_staff(persona)] == ["wanzi01", "wanzi03"]
    # Customer contact comes back: routable again.
    sandbox.control("PATCH", f"/wecom/corps/{CORPID}", json={"staff": STAFF})
    _sync(world.a, corp)
    assert _accounts(world.a)["wanzi02"] == ("小丸子 02", True, True)
    assert _accounts(world.a)["wanzi03"] == ("小丸子 03", False, False)
    # Tenant B saw none of it.
    assert _accounts(world.b) == {}


def test_customer_added_in_wecom_counts_towards_the_accounts_load(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox
) -> None:
    corp = _connect(world.a, sandbox)
    callback = f"{live_server.url}/cb/wecom/{corp.callback_key}/"
    sandbox.control(
        "POST",
        "/wecom/corps",
        json={
            "corpid": CORPID,
            "secret": SECRET,
            "staff": STAFF,
            "token": WECOM_TOKEN,
            "encoding_aes_key": WECOM_AES_KEY,
            "callback_url": callback,
        },
    )
    _sync(world.a, corp)
    with world.a.scope(), channel_client(corp) as client:
        way = client.call(
            client.aio.contact_ways.add, type=1, scene=2, users=["wanzi01"], state="lot-2025-11"
        )

    def act(kind: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = sandbox.control(
            "POST", f"/wecom/corps/{CORPID}/actions", json={"kind": kind, "wait": True, **fields}
        )
        assert all(d["status"] == "delivered" for d in answer["deliveries"]), answer
        sandbox.advance(1)
        run_worker()
        return answer["result"]  # type: ignore[no-any-return]

    first = act("add_staff", userid="wanzi01", config_id=way["config_id"])
    act("add_staff", userid="wanzi01", config_id=way["config_id"])
    with world.a.scope():
        wanzi = queries.staff_by_userid(corp, "wanzi01")
        assert wanzi is not None
        assert queries.load(wanzi) == 2
        states = set(queries.customers_of(wanzi).values_list("state", flat=True))
        assert states == {"lot-2025-11"}
    act("remove_staff", userid="wanzi01", external_userid=first["external_userid"])
    with world.a.scope():
        assert queries.load(wanzi) == 1


def channel_client(corp: WeComCorp) -> Any:
    from shequn.channels import services as channel_services

    return channel_services.wecom_client(corp)
