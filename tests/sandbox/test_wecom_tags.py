"""Corp tags in the sandbox: limits, tagging relationships, and admin changes as callbacks."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.wechat.errors import APIError
from tests.sandbox.wecom_support import Corp, WeComReceiver, make_corp, receiver

pytestmark = pytest.mark.anyio
__all__ = ["make_corp", "receiver"]


async def test_corp_tag_count_is_capped(make_corp: Any) -> None:
    corp: Corp = await make_corp(limits={"corp_tags": 3})
    await corp.api.corp_tags.add(["a", "b"], group_name="g1")
    with pytest.raises(APIError) as full:
        await corp.api.corp_tags.add(["c", "d"], group_name="g2")
    assert full.value.errcode == 40126
    await corp.api.corp_tags.add(["c"], group_name="g2")


async def test_default_cap_is_3000(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    path = "/cgi-bin/externalcontact/add_corp_tag"
    names = [{"name": f"t{i}"} for i in range(3000)]
    assert (await corp.raw(path, {"group_name": "all", "tag": names}))["errcode"] == 0
    one_more = await corp.raw(path, {"group_name": "more", "tag": [{"name": "x"}]})
    assert one_more["errcode"] == 40126


async def test_tag_names_and_ids_are_checked(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    path = "/cgi-bin/externalcontact/add_corp_tag"
    long_name = {"group_name": "g", "tag": [{"name": "n" * 31}]}
    assert (await corp.raw(path, long_name))["errcode"] == 40058
    long_group = {"group_name": "g" * 31, "tag": [{"name": "n"}]}
    assert (await corp.raw(path, long_group))["errcode"] == 40058
    assert (await corp.raw(path, {"group_name": "g", "tag": []}))["errcode"] == 40058
    external = await corp.customer()
    mark = {"userid": "zhangsan", "external_userid": external, "add_tag": ["etnope"]}
    assert (await corp.raw("/cgi-bin/externalcontact/mark_tag", mark))["errcode"] == 40068


async def test_tags_on_a_relationship_show_in_customer_detail(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    external = await corp.customer()
    group = await corp.api.corp_tags.add(["VIP", "VIP", "新客"], group_name="等级")
    assert [t["name"] for t in group["tag"]] == ["VIP", "新客"]  # duplicates collapse
    vip, new = (t["id"] for t in group["tag"])
    await corp.api.corp_tags.mark("zhangsan", external, add=[vip, new])
    await corp.api.corp_tags.mark("zhangsan", external, remove=[new])
    detail = await corp.api.customers.get(external)
    assert detail["follow_user"][0]["tags"] == [
        {"group_name": "等级", "tag_name": "VIP", "tag_id": vip, "type": 1}
    ]
    await corp.api.corp_tags.delete(tag_ids=[vip, new])
    assert await corp.api.corp_tags.list() == []  # the emptied group went too
    detail = await corp.api.customers.get(external)
    assert detail["follow_user"][0]["tags"] == []


async def test_admin_tag_changes_are_pushed(make_corp: Any, receiver: WeComReceiver) -> None:
    corp: Corp = await make_corp()
    made = await corp.act("admin_creates_tag", group_name="来源", name="门店")
    await corp.act("admin_deletes_tag", tag_id=made["result"]["tag_id"])
    events = receiver.of("change_external_tag")
    assert [(e["ChangeType"], e["Id"], e["TagType"]) for e in events] == [
        ("create", made["result"]["tag_id"], "tag"),
        ("delete", made["result"]["tag_id"], "tag"),
    ]
