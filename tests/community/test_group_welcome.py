"""A pool's group welcome kept as a WeCom group welcome template, against the sandbox over HTTP:
created after the save commits, edited when the text changes, deleted when it is cleared, and
WeCom's refusal shown on the pool page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shequn.channels import services as channel_services
from shequn.community import services
from shequn.community.models import GroupPool
from shequn.wechat.errors import APIError
from tests.community.wired import CORPID, Wired
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import run_worker

pytestmark = pytest.mark.slow


def _template(wired: Wired, template_id: str) -> dict[str, Any]:
    with wired.tenant.scope(), channel_services.wecom_client(wired.corp) as client:
        answer: dict[str, Any] = client.call(client.aio.group_welcome.get, template_id)
        return answer


def _pool(wired: Wired, pool: GroupPool) -> GroupPool:
    with wired.tenant.scope():
        fresh: GroupPool = GroupPool.objects.get(pk=pool.pk)
        return fresh


def test_the_pool_text_becomes_a_template_that_follows_edits_and_is_deleted(
    wired: Wired,
) -> None:
    pool = wired.pool("Baby 0-3 months", [], group_welcome="欢迎 %NICKNAME% 加入宝妈群！")
    assert pool.group_welcome_template_id == ""  # the WeCom call waits for the commit
    run_worker()
    pool = _pool(wired, pool)
    template_id = pool.group_welcome_template_id
    assert template_id
    assert pool.group_welcome_error == ""
    assert _template(wired, template_id)["text"]["content"] == "欢迎 %NICKNAME% 加入宝妈群！"

    with wired.tenant.scope(), as_owner(wired.tenant):
        services.update_pool(pool, group_welcome="欢迎新朋友，群公告里有新人礼")
    run_worker()
    pool = _pool(wired, pool)
    assert pool.group_welcome_template_id == template_id
    assert _template(wired, template_id)["text"]["content"] == "欢迎新朋友，群公告里有新人礼"

    with wired.tenant.scope(), as_owner(wired.tenant):
        services.update_pool(pool, group_welcome="")
    run_worker()
    assert _pool(wired, pool).group_welcome_template_id == ""
    with pytest.raises(APIError):
        _template(wired, template_id)


def test_a_template_deleted_in_wecom_is_made_again(wired: Wired) -> None:
    pool = wired.pool("Trial pack", [], group_welcome="Welcome!")
    run_worker()
    old = _pool(wired, pool).group_welcome_template_id
    with wired.tenant.scope(), channel_services.wecom_client(wired.corp) as client:
        client.call(client.aio.group_welcome.delete, old)
    with wired.tenant.scope(), as_owner(wired.tenant):
        services.update_pool(_pool(wired, pool), group_welcome="Welcome, new friend!")
    run_worker()
    new = _pool(wired, pool).group_welcome_template_id
    assert new
    assert new != old
    assert _template(wired, new)["text"]["content"] == "Welcome, new friend!"


def test_wecom_refusal_is_shown_on_the_pool_page_and_retried_on_save(wired: Wired) -> None:
    wired.sandbox.control(
        "PATCH", f"/wecom/corps/{CORPID}", json={"limits": {"group_welcome_templates": 0}}
    )
    pool = wired.pool("Members", [], group_welcome="Hello members")
    run_worker()
    pool = _pool(wired, pool)
    assert pool.group_welcome_template_id == ""
    assert "100 templates" in pool.group_welcome_error

    client = Client()
    client.force_login(wired.tenant.operator.user)
    url = reverse(
        "console:community_pool",
        kwargs={"workspace": wired.tenant.workspace.slug, "uid": pool.uid},
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "100 templates" in page.content.decode()

    wired.sandbox.control(
        "PATCH", f"/wecom/corps/{CORPID}", json={"limits": {"group_welcome_templates": 100}}
    )
    with wired.tenant.scope(), as_owner(wired.tenant):
        services.update_pool(pool, priority=5)  # any save retries a failed template
    run_worker()
    pool = _pool(wired, pool)
    assert pool.group_welcome_template_id
    assert pool.group_welcome_error == ""
    assert "100 templates" not in client.get(url).content.decode()
