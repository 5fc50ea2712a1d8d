"""Group welcome templates (B.8) through the protocol client against the sandbox: add, get,
edit, del, the one-attachment rule, the per-corp cap (41055) and unknown template ids."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.wechat.errors import APIError, InvalidRequest
from tests.sandbox.wecom_support import Corp, make_corp, receiver

pytestmark = pytest.mark.anyio
__all__ = ["make_corp", "receiver"]

LINK = {
    "msgtype": "link",
    "link": {"title": "新人礼", "url": "https://example.com/gift", "picurl": "https://e.com/p"},
}


async def test_template_round_trip(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    api = corp.api.group_welcome
    template_id = await api.add("欢迎 %NICKNAME% 加入！", LINK, agentid=1000002, notify=False)
    got = await api.get(template_id)
    assert got["text"] == {"content": "欢迎 %NICKNAME% 加入！"}
    assert got["link"]["title"] == "新人礼"
    await api.edit(template_id, "欢迎新朋友")
    got = await api.get(template_id)
    assert got["text"]["content"] == "欢迎新朋友"
    assert got["link"]["url"] == "https://example.com/gift"
    await api.delete(template_id)
    with pytest.raises(APIError) as gone:
        await api.get(template_id)
    assert gone.value.errcode == 40058


async def test_templates_are_per_corp_and_capped(make_corp: Any) -> None:
    corp: Corp = await make_corp(limits={"group_welcome_templates": 2})
    api = corp.api.group_welcome
    await api.add("one")
    await api.add(attachment={"msgtype": "image", "image": {"pic_url": "https://e.com/a.png"}})
    with pytest.raises(APIError) as full:
        await api.add("three")
    assert full.value.errcode == 41055
    other: Corp = await make_corp(corpid="ww_other_corp_0001")
    assert await other.api.group_welcome.add("own cap")


async def test_wrong_payloads_answer_wecom_errors(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    two = await corp.raw(
        "/cgi-bin/externalcontact/group_welcome_template/add",
        {"text": {"content": "x"}, "image": {"media_id": "m"}, "link": LINK["link"]},
    )
    assert two["errcode"] == 40058
    empty = await corp.raw("/cgi-bin/externalcontact/group_welcome_template/add", {})
    assert empty["errcode"] == 40058
    no_url = await corp.raw(
        "/cgi-bin/externalcontact/group_welcome_template/add", {"link": {"title": "t"}}
    )
    assert no_url["errcode"] == 40058
    long = await corp.raw(
        "/cgi-bin/externalcontact/group_welcome_template/add",
        {"text": {"content": "字" * 1400}},
    )
    assert long["errcode"] == 40058
    missing = await corp.raw("/cgi-bin/externalcontact/group_welcome_template/del", {})
    assert missing["errcode"] == 40058
    with pytest.raises(InvalidRequest):
        await corp.api.group_welcome.add()
    with pytest.raises(InvalidRequest):
        await corp.api.group_welcome.add("x", {"msgtype": "voice", "voice": {}})
