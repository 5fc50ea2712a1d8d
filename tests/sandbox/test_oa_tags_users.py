"""Tags, users, follower list and blacklist limits (reference §6.2, §6.3)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_tag_limits_and_codes(make_oa):
    oa = await make_oa()
    created = await oa.post("/cgi-bin/tags/create", {"tag": {"name": "广东"}})
    tagid = created["tag"]["id"]
    assert created["tag"]["name"] == "广东"
    assert (await oa.post("/cgi-bin/tags/create", {"tag": {"name": "广东"}}))["errcode"] == 45157
    assert (await oa.post("/cgi-bin/tags/create", {"tag": {"name": "x" * 31}}))["errcode"] == 45158
    assert (await oa.post("/cgi-bin/tags/update", {"tag": {"id": 2, "name": "a"}}))[
        "errcode"
    ] == 45058
    assert (await oa.post("/cgi-bin/tags/delete", {"tag": {"id": 999}}))["errcode"] == 45159
    for i in range(99):
        assert "tag" in await oa.post("/cgi-bin/tags/create", {"tag": {"name": f"t{i}"}})
    assert (await oa.post("/cgi-bin/tags/create", {"tag": {"name": "one more"}}))[
        "errcode"
    ] == 45056
    assert (await oa.post("/cgi-bin/tags/delete", {"tag": {"id": tagid}}))["errcode"] == 0


async def test_batch_tagging_limits(make_oa):
    oa = await make_oa()
    c = await oa.customer(nickname="A")
    tag = (await oa.post("/cgi-bin/tags/create", {"tag": {"name": "vip"}}))["tag"]["id"]
    too_many = {"openid_list": [c["openid"]] * 51, "tagid": tag}
    assert (await oa.post("/cgi-bin/tags/members/batchtagging", too_many))["errcode"] == 40032
    bad_user = {"openid_list": ["o" + "x" * 27], "tagid": tag}
    assert (await oa.post("/cgi-bin/tags/members/batchtagging", bad_user))["errcode"] == 40003
    bad_tag = {"openid_list": [c["openid"]], "tagid": 12345}
    assert (await oa.post("/cgi-bin/tags/members/batchtagging", bad_tag))["errcode"] == 45159
    ok = {"openid_list": [c["openid"]], "tagid": tag}
    assert (await oa.post("/cgi-bin/tags/members/batchtagging", ok))["errcode"] == 0
    ids = await oa.post("/cgi-bin/tags/getidlist", {"openid": c["openid"]})
    assert ids["tagid_list"] == [tag]
    tags = (await oa.get("/cgi-bin/tags/get"))["tags"]
    assert {"id": tag, "name": "vip", "count": 1} in tags
    fans = await oa.post("/cgi-bin/user/tag/get", {"tagid": tag, "next_openid": ""})
    assert fans["data"]["openid"] == [c["openid"]]


async def test_a_user_holds_at_most_20_tags(make_oa):
    oa = await make_oa()
    c = await oa.customer()
    for i in range(21):
        tagid = (await oa.post("/cgi-bin/tags/create", {"tag": {"name": f"t{i}"}}))["tag"]["id"]
        answer = await oa.post(
            "/cgi-bin/tags/members/batchtagging", {"openid_list": [c["openid"]], "tagid": tagid}
        )
        assert answer["errcode"] == (0 if i < 20 else 45059)


async def test_another_accounts_openid_gives_49003(make_oa):
    oa, other = await make_oa(), await make_oa()
    stranger = await other.customer()
    answer = await oa.get("/cgi-bin/user/info", openid=stranger["openid"])
    assert answer["errcode"] == 49003


async def test_user_info_for_followers_and_unfollowers(make_oa):
    oa = await make_oa()
    c = await oa.customer(nickname="小王")
    info = await oa.get("/cgi-bin/user/info", openid=c["openid"], lang="zh_CN")
    assert info["subscribe"] == 1
    assert info["nickname"] == ""  # no longer returned since 2021-12-27
    assert info["unionid"] == c["unionid"]
    await oa.act(c["openid"], "unfollow")
    assert await oa.get("/cgi-bin/user/info", openid=c["openid"]) == {
        "subscribe": 0,
        "openid": c["openid"],
    }


async def test_batchget_allows_at_most_100(make_oa):
    oa = await make_oa()
    c = await oa.customer()
    users = {"user_list": [{"openid": c["openid"], "lang": "zh_CN"}] * 101}
    assert (await oa.post("/cgi-bin/user/info/batchget", users))["errcode"] == 40032
    users = {"user_list": [{"openid": c["openid"]}]}
    assert len((await oa.post("/cgi-bin/user/info/batchget", users))["user_info_list"]) == 1


async def test_follower_list_pages_by_10000(make_oa, sandbox):
    from shequn.sandbox.accounts import create_customer

    oa = await make_oa()
    for _ in range(10_003):
        create_customer(sandbox, oa.appid)
    first = await oa.get("/cgi-bin/user/get")
    assert (first["total"], first["count"]) == (10_003, 10_000)
    second = await oa.get("/cgi-bin/user/get", next_openid=first["next_openid"])
    assert second["count"] == 3
    assert not set(first["data"]["openid"]) & set(second["data"]["openid"])
    last = await oa.get("/cgi-bin/user/get", next_openid=second["next_openid"])
    assert last["count"] == 0
    assert last["next_openid"] == ""


async def test_remark_must_be_under_30_bytes(make_oa):
    oa = await make_oa()
    c = await oa.customer()
    long = {"openid": c["openid"], "remark": "十一个汉字十一个汉字十"}
    assert (await oa.post("/cgi-bin/user/info/updateremark", long))["errcode"] == 40092
    ok = {"openid": c["openid"], "remark": "老客户"}
    assert (await oa.post("/cgi-bin/user/info/updateremark", ok))["errcode"] == 0
    assert (await oa.get("/cgi-bin/user/info", openid=c["openid"]))["remark"] == "老客户"


async def test_blacklist_batches_of_20_and_listing(make_oa):
    oa = await make_oa()
    c = await oa.customer()
    many = {"openid_list": [c["openid"]] * 21}
    assert (await oa.post("/cgi-bin/tags/members/batchblacklist", many))["errcode"] == 40032
    one = {"openid_list": [c["openid"]]}
    assert (await oa.post("/cgi-bin/tags/members/batchblacklist", one))["errcode"] == 0
    listed = await oa.post("/cgi-bin/tags/members/getblacklist", {"begin_openid": ""})
    assert listed["data"]["openid"] == [c["openid"]]
    assert (await oa.post("/cgi-bin/tags/members/batchunblacklist", one))["errcode"] == 0
    assert (await oa.post("/cgi-bin/tags/members/getblacklist", {}))["total"] == 0


async def test_blacklist_needs_verification(make_oa):
    oa = await make_oa(verified=False)
    c = await oa.customer()
    answer = await oa.post("/cgi-bin/tags/members/batchblacklist", {"openid_list": [c["openid"]]})
    assert answer["errcode"] == 48001
