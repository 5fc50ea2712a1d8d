"""Full follower import against the sandbox: 2,500 followers in batches of 100, interrupted
after two batches and resumed, each follower imported once and merged with the WeCom customer
who shares their unionid."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from shequn.contacts import queries, services
from shequn.contacts.models import Contact, Follower, Identity, SyncRun
from tests.conftest import World
from tests.contacts.oa_sandbox import APPID, OASandbox, wire_oa
from tests.ingest.sandbox_support import (
    Sandbox,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)

pytestmark = pytest.mark.slow

FOLLOWERS = 2500
SHARED = 40  # followers who are also WeCom customers (same unionid)


@pytest.fixture
def oa(transactional_db: None, world: World, sandbox: Sandbox) -> OASandbox:
    return wire_oa(world, sandbox)


def _populate(oa: OASandbox, count: int) -> None:
    for i in range(count):
        fields: dict[str, Any] = {"remark": f"r{i}", "subscribe_scene": "ADD_SCENE_QR_CODE"}
        if i < SHARED:
            fields["unionid"] = f"uShared{i:04d}"
        oa.add_customer(f"oFan{i:05d}", **fields)


def test_import_interrupted_after_two_batches_resumes_and_imports_everyone_once(
    oa: OASandbox,
) -> None:
    _populate(oa, FOLLOWERS)
    with oa.tenant.scope():
        for i in range(SHARED):
            customer = services.contact_for_identity(
                Identity.Kind.WECOM_EXTERNAL_USERID, f"wmShared{i:04d}", "wecom:x"
            )
            services.attach_unionid(customer, f"uShared{i:04d}")
        run = services.start_follower_sync(oa.account)
        # Two batches run, then the worker dies and its queue is lost.
        assert services.run_sync_step(run)
        assert services.run_sync_step(run)
        DBTaskResult.objects.all().delete()
        assert (run.imported, run.batch_index, run.total) == (200, 2, FOLLOWERS)
        assert Follower.objects.count() == 200

        resumed = services.start_follower_sync(oa.account)
        assert resumed.pk == run.pk
    run_worker()

    with oa.tenant.scope():
        run.refresh_from_db()
        assert run.status == SyncRun.Status.DONE
        assert (run.imported, run.percent) == (FOLLOWERS, 100)
        assert Follower.objects.count() == FOLLOWERS
        assert Identity.objects.filter(kind=Identity.Kind.OA_OPENID).count() == FOLLOWERS
        assert queries.contacts().count() == FOLLOWERS
        assert Contact.objects.count() == FOLLOWERS + SHARED  # the merged-away, hidden
        shared = Identity.objects.get(value="oFan00007").contact
        assert {i.value for i in shared.identities.all()} == {
            "oFan00007",
            "wmShared0007",
            "uShared0007",
        }
        assert shared.remark == "r7"
        assert shared.followed_at is not None


def test_command_line_import_prints_progress(oa: OASandbox) -> None:
    _populate(oa, 250)
    out = StringIO()
    call_command("sync_followers", "sakura", APPID, stdout=out)
    lines = out.getvalue().splitlines()
    assert "100/250" in lines[0]
    assert "250/250" in lines[-2]
    assert "done" in lines[-1].lower()
    with oa.tenant.scope():
        assert Follower.objects.count() == 250
