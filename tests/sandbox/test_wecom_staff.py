"""Staff names through user/get: the protocol client against the sandbox, with WeCom's errors."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.wechat.errors import APIError, InvalidRequest
from tests.sandbox.wecom_support import Corp, make_corp, receiver

pytestmark = pytest.mark.anyio
__all__ = ["make_corp", "receiver"]


async def test_user_get_answers_names_and_wecom_errors(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    zhangsan = await corp.api.staff.get("zhangsan")
    assert (zhangsan["userid"], zhangsan["name"], zhangsan["status"]) == ("zhangsan", "张三", 1)
    # A member without customer contact is still a member of the corp.
    assert (await corp.api.staff.get("wangwu"))["name"] == "王五"
    with pytest.raises(APIError) as unknown:
        await corp.api.staff.get("nobody")
    assert unknown.value.errcode == 60111
    token = (await corp.api.get_token()).value
    missing = await corp.http.get("/qyapi/cgi-bin/user/get", params={"access_token": token})
    assert missing.json()["errcode"] == 41009
    with pytest.raises(InvalidRequest):
        await corp.api.staff.get("")


async def test_renamed_staff_read_back_with_the_new_name(make_corp: Any, client: Any) -> None:
    corp: Corp = await make_corp()
    staff = [{"userid": "zhangsan", "name": "小丸子"}]
    r = await client.patch(f"/sandbox/wecom/corps/{corp.corpid}", json={"staff": staff})
    assert r.status_code == 200, r.text
    assert (await corp.api.staff.get("zhangsan"))["name"] == "小丸子"
    with pytest.raises(APIError):
        await corp.api.staff.get("lisi")
