"""Workspace tags mirrored to WeCom corp tags on the sandbox, over HTTP, and the corp's cap."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.channels import services as channel_services
from shequn.channels.models import WeComCorp
from shequn.contacts import services
from shequn.contacts.models import Tag, TagMirror
from shequn.contacts.tagging import WECOM_CORP_TAGS
from tests.channels.factories import WECOM_AES_KEY, WECOM_TOKEN, make_wecom_corp
from tests.conftest import Tenant, World
from tests.contacts.test_console import client_for
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import (
    Sandbox,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)

pytestmark = pytest.mark.slow

CORPID = "ww00000000000000t9"
SECRET = "corp-tag-contact-secret"


def _wire(t: Tenant, sandbox: Sandbox, **limits: int) -> WeComCorp:
    sandbox.control(
        "POST",
        "/wecom/corps",
        json={
            "corpid": CORPID,
            "secret": SECRET,
            "token": WECOM_TOKEN,
            "encoding_aes_key": WECOM_AES_KEY,
            "staff": [{"userid": "zhangsan"}],
            "limits": limits,
        },
    )
    with t.scope(), as_owner(t):
        return make_wecom_corp(
            corpid=CORPID, contact_secret=SECRET, api_base_url=f"{sandbox.url}/qyapi"
        )


def _remote(t: Tenant, corp: WeComCorp) -> dict[str, str]:
    """corp tag id → name, of every corp tag on the sandbox."""
    with t.scope(), channel_services.wecom_client(corp) as client:
        groups: list[dict[str, Any]] = client.corp_tags.list()
    return {tag["id"]: tag["name"] for group in groups for tag in group.get("tag", [])}


def test_corp_tag_is_created_renamed_and_deleted_from_the_console(
    transactional_db: None, world: World, sandbox: Sandbox
) -> None:
    t = world.a
    corp = _wire(t, sandbox)
    operator = client_for(t.operator)
    operator.post("/w/sakura/contacts/tags/", {"name": "Autumn fair"})
    run_worker()
    with t.scope():
        mirror = TagMirror.objects.get()
        tag = mirror.tag
        assert mirror.status == TagMirror.Status.SYNCED
        assert mirror.channel_ref == f"wecom:{corp.uid}"
    assert _remote(t, corp) == {mirror.remote_id: "Autumn fair"}
    page = operator.get("/w/sakura/contacts/tags/").content.decode()
    assert 'data-mirror="synced"' in page
    operator.post(f"/w/sakura/contacts/tags/{tag.uid}/rename/", {"name": "Spring fair"})
    run_worker()
    assert _remote(t, corp) == {mirror.remote_id: "Spring fair"}
    operator.post(f"/w/sakura/contacts/tags/{tag.uid}/delete/")
    run_worker()
    assert _remote(t, corp) == {}


def test_a_corp_at_its_tag_cap_refuses_and_the_console_shows_wecoms_error(
    transactional_db: None, world: World, sandbox: Sandbox
) -> None:
    t = world.a
    corp = _wire(t, sandbox, corp_tags=2)
    with t.scope(), as_owner(t):
        for name in ("one", "two", "three"):
            services.create_tag(name)
    run_worker()
    assert sorted(_remote(t, corp).values()) == ["one", "two"]
    with t.scope():
        failed = TagMirror.objects.get(tag__name="three")
        assert failed.status == TagMirror.Status.FAILED
        assert failed.error_code == 40126
    page = client_for(t.viewer).get("/w/sakura/contacts/tags/").content.decode()
    assert 'data-mirror="failed"' in page
    assert "40126" in page


def test_the_console_refuses_the_3001st_tag_before_wecom_is_called(
    transactional_db: None, world: World, sandbox: Sandbox
) -> None:
    t = world.a
    _wire(t, sandbox)
    with t.scope():
        Tag.objects.bulk_create(
            [Tag(name=f"t{i}", tenant=t.workspace) for i in range(WECOM_CORP_TAGS)]
        )
    refused = client_for(t.owner).post("/w/sakura/contacts/tags/", {"name": "one more"})
    assert refused.status_code == 422
    assert "A WeCom corp can hold at most 3000 customer tags." in refused.content.decode()
    with t.scope():
        assert not TagMirror.objects.exists()
