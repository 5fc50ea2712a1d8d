"""Menus (levels, counts, lengths, conditional rules) and parametric QR codes."""

from __future__ import annotations

import io

import png
import pytest

pytestmark = pytest.mark.anyio

CLICK = {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"}


def view(url: str = "https://shop.example.com/") -> dict[str, str]:
    return {"type": "view", "name": "商城", "url": url}


@pytest.mark.parametrize(
    ("buttons", "errcode"),
    [
        ([], 40016),
        ([CLICK] * 4, 40016),
        ([{"type": "bogus", "name": "x", "key": "k"}], 40017),
        ([{**CLICK, "name": "一二三四五六"}], 40018),  # 18 bytes > 16
        ([{**CLICK, "key": "k" * 129}], 40019),
        ([{"type": "view", "name": "v", "url": "https://x.cn/" + "a" * 1020}], 40020),
        ([{"name": "菜单", "sub_button": [CLICK] * 6}], 40023),
        ([{"name": "菜单", "sub_button": [{"name": "子", "sub_button": [CLICK]}]}], 40022),
        ([{"name": "菜单", "sub_button": [{**CLICK, "name": "n" * 61}]}], 40025),
        ([{"name": "菜单", "sub_button": [{**CLICK, "type": "nope"}]}], 40024),
        ([{"name": "菜单", "sub_button": [{**CLICK, "key": "k" * 129}]}], 40026),
        (
            [
                view("https://a.cn/"),
                view("https://b.cn/"),
                {"name": "m", "sub_button": [view("https://c.cn/"), view("https://d.cn/")]},
            ],
            65316,
        ),
    ],
)
async def test_menu_validation(make_oa, buttons, errcode):
    oa = await make_oa()
    assert (await oa.post("/cgi-bin/menu/create", {"button": buttons}))["errcode"] == errcode


async def test_menu_create_get_delete_and_conditional(make_oa):
    oa = await make_oa()
    c = await oa.customer(platform="ios")
    rule_menu = {"button": [CLICK], "matchrule": {"client_platform_type": "1"}}
    assert (await oa.post("/cgi-bin/menu/addconditional", rule_menu))["errcode"] == 65303
    assert (await oa.get("/cgi-bin/menu/get"))["errcode"] == 46003
    menu = {"button": [CLICK, {"name": "更多", "sub_button": [view()]}]}
    assert (await oa.post("/cgi-bin/menu/create", menu))["errcode"] == 0
    assert (await oa.post("/cgi-bin/menu/addconditional", {"button": [CLICK], "matchrule": {}}))[
        "errcode"
    ] == 65304
    by_sex = {"button": [CLICK], "matchrule": {"sex": "1"}}
    assert (await oa.post("/cgi-bin/menu/addconditional", by_sex))["errcode"] == 65320
    ios_only = {"button": [view()], "matchrule": {"client_platform_type": "1"}}
    menuid = (await oa.post("/cgi-bin/menu/addconditional", ios_only))["menuid"]
    got = await oa.get("/cgi-bin/menu/get")
    assert got["menu"]["button"][0]["key"] == "V1001_TODAY_MUSIC"
    assert got["conditionalmenu"][0]["menuid"] == int(menuid)
    matched = await oa.post("/cgi-bin/menu/trymatch", {"user_id": c["openid"]})
    assert matched["button"][0]["type"] == "view"
    assert (await oa.post("/cgi-bin/menu/delconditional", {"menuid": "1"}))["errcode"] == 65301
    assert (await oa.get("/cgi-bin/menu/delete"))["errcode"] == 0
    assert (await oa.get("/cgi-bin/menu/get"))["errcode"] == 46003


async def test_unverified_subscription_account_cannot_create_menus(make_oa):
    oa = await make_oa(kind="subscription", verified=False)
    assert (await oa.post("/cgi-bin/menu/create", {"button": [CLICK]}))["errcode"] == 48001
    service = await make_oa(kind="service", verified=False)
    assert (await service.post("/cgi-bin/menu/create", {"button": [CLICK]}))["errcode"] == 0


def qr(action: str, scene: dict, **extra) -> dict:
    return {"action_name": action, "action_info": {"scene": scene}, **extra}


async def test_temporary_qr_codes_expire_and_are_capped_at_30_days(make_oa, client, clock):
    oa = await make_oa()
    temp = await oa.post(
        "/cgi-bin/qrcode/create", qr("QR_SCENE", {"scene_id": 7}, expire_seconds=60)
    )
    assert temp["expire_seconds"] == 60
    assert temp["url"].startswith("http://weixin.qq.com/q/")
    capped = await oa.post(
        "/cgi-bin/qrcode/create", qr("QR_STR_SCENE", {"scene_str": "a"}, expire_seconds=3_000_000)
    )
    assert capped["expire_seconds"] == 2_592_000
    image = await client.get("/cgi-bin/showqrcode", params={"ticket": temp["ticket"]})
    assert image.headers["content-type"] == "image/png"
    width, height, _, _ = png.Reader(file=io.BytesIO(image.content)).read()
    assert width == height > 100
    clock.advance(61)
    gone = await client.get("/cgi-bin/showqrcode", params={"ticket": temp["ticket"]})
    assert gone.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        qr("QR_LIMIT_SCENE", {"scene_id": 100_001}),
        qr("QR_LIMIT_SCENE", {"scene_id": 0}),
        qr("QR_LIMIT_STR_SCENE", {"scene_str": "s" * 65}),
        qr("QR_STR_SCENE", {"scene_str": ""}, expire_seconds=60),
    ],
)
async def test_qr_scene_limits(make_oa, body):
    oa = await make_oa()
    assert (await oa.post("/cgi-bin/qrcode/create", body))["errcode"] == 40053


async def test_permanent_scene_reuses_its_code_and_scan_follows(make_oa):
    oa = await make_oa()
    first = await oa.post("/cgi-bin/qrcode/create", qr("QR_LIMIT_SCENE", {"scene_id": 100_000}))
    again = await oa.post("/cgi-bin/qrcode/create", qr("QR_LIMIT_SCENE", {"scene_id": 100_000}))
    assert first["ticket"] == again["ticket"]
    assert "expire_seconds" not in first
    c = await oa.customer(subscribe=False)
    await oa.act(c["openid"], "follow", ticket=first["ticket"])
    info = await oa.get("/cgi-bin/user/info", openid=c["openid"])
    assert (info["subscribe_scene"], info["qr_scene"]) == ("ADD_SCENE_QR_CODE", 100_000)


async def test_missing_scene_wrapper_silently_means_scene_zero(make_oa):
    oa = await make_oa()
    body = {"action_name": "QR_SCENE", "expire_seconds": 60, "action_info": {"scene_id": 5}}
    assert "ticket" in await oa.post("/cgi-bin/qrcode/create", body)
