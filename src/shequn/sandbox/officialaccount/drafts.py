"""Drafts and publishing (reference §6.7). A submitted draft leaves the draft box; the result
arrives as PUBLISHJOBFINISH after the account's `callback_delays["publish"]` seconds."""

from __future__ import annotations

from typing import Any

from shequn.sandbox import ids
from shequn.sandbox.accounts import get_account
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.media import find_media
from shequn.sandbox.officialaccount.push import enqueue_packet
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

DRAFT = "draft"
PUBLISH = "publish"
MAX_ARTICLES = 8
TITLE_CHARS, AUTHOR_CHARS, DIGEST_CHARS, CONTENT_CHARS = 32, 16, 128, 20_000
SOURCE_URL_BYTES = 1024

area = Area("drafts", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def _article(call: Call, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ApiError(47001)
    kind = raw.get("article_type", "news")
    title = raw.get("title")
    if not title or len(str(title)) > TITLE_CHARS:
        raise ApiError(45003)
    if len(str(raw.get("author", ""))) > AUTHOR_CHARS:
        raise ApiError(47003, "argument invalid! author")
    if len(str(raw.get("digest", ""))) > DIGEST_CHARS:
        raise ApiError(45004)
    content = str(raw.get("content", ""))
    if not content:
        raise ApiError(44003)
    if len(content) >= CONTENT_CHARS or len(content.encode("utf-8")) >= 1024 * 1024:
        raise ApiError(45002)
    if len(str(raw.get("content_source_url", "")).encode("utf-8")) > SOURCE_URL_BYTES:
        raise ApiError(45005)
    if kind == "news":
        thumb = raw.get("thumb_media_id")
        if not thumb:
            raise ApiError(40007)
        find_media(call.sandbox, call.appid, str(thumb), permanent=True)
    article = dict(raw)
    article.setdefault("digest", content[:54])
    article.setdefault("need_open_comment", 0)
    article.setdefault("only_fans_can_comment", 0)
    return article


def draft_or_40007(call: Call, media_id: Any) -> Doc:
    draft = call.sandbox.store.get(DRAFT, call.appid, str(media_id or ""))
    if draft is None:
        raise ApiError(40007)
    return draft


def _news_items(call: Call, draft: Doc, *, with_content: bool = True) -> list[dict[str, Any]]:
    items = []
    for idx, article in enumerate(draft["articles"], start=1):
        item = dict(article)
        item["url"] = f"{call.sandbox.public_url}/sandbox/articles/{draft['media_id']}/{idx}"
        if not with_content:
            item.pop("content", None)
        items.append(item)
    return items


@area.api("/cgi-bin/draft/add")
async def add(call: Call) -> dict[str, Any]:
    articles = call.json().get("articles")
    if not isinstance(articles, list) or not articles:
        raise ApiError(44003)
    if len(articles) > MAX_ARTICLES:
        raise ApiError(45008)
    clean = [_article(call, a) for a in articles]
    media_id = ids.media_id()
    now = int(call.now())
    call.sandbox.store.put(
        DRAFT, call.appid, media_id, {"media_id": media_id, "articles": clean, "update_time": now}
    )
    return {"media_id": media_id}


@area.api("/cgi-bin/draft/get")
async def get(call: Call) -> dict[str, Any]:
    draft = draft_or_40007(call, call.json().get("media_id"))
    return {"news_item": _news_items(call, draft)}


@area.api("/cgi-bin/draft/delete")
async def delete(call: Call) -> dict[str, Any]:
    draft = draft_or_40007(call, call.json().get("media_id"))
    call.sandbox.store.delete(DRAFT, call.appid, draft["media_id"])
    return ok()


@area.api("/cgi-bin/draft/update")
async def update(call: Call) -> dict[str, Any]:
    body = call.json()
    draft = draft_or_40007(call, body.get("media_id"))
    index = body.get("index")
    if not isinstance(index, int) or not 0 <= index < len(draft["articles"]):
        raise ApiError(40035, "invalid args: index")
    draft["articles"][index] = _article(call, body.get("articles"))
    draft["update_time"] = int(call.now())
    call.sandbox.store.put(DRAFT, call.appid, draft["media_id"], draft)
    return ok()


@area.api("/cgi-bin/draft/count", methods=("GET",))
async def count(call: Call) -> dict[str, Any]:
    return {"total_count": call.sandbox.store.count(DRAFT, call.appid)}


def _page(call: Call) -> tuple[int, int, bool]:
    body = call.json()
    offset, size = body.get("offset", 0), body.get("count", 20)
    if not isinstance(size, int) or not 1 <= size <= 20 or not isinstance(offset, int):
        raise ApiError(40035, "invalid args: count")
    return offset, size, bool(body.get("no_content", 0))


@area.api("/cgi-bin/draft/batchget")
async def batchget(call: Call) -> dict[str, Any]:
    offset, size, no_content = _page(call)
    store = call.sandbox.store
    drafts = store.list(DRAFT, call.appid, offset=offset, limit=size, newest_first=True)
    return {
        "total_count": store.count(DRAFT, call.appid),
        "item_count": len(drafts),
        "item": [
            {
                "media_id": d["media_id"],
                "update_time": d["update_time"],
                "content": {"news_item": _news_items(call, d, with_content=not no_content)},
            }
            for d in drafts
        ],
    }


@area.api("/cgi-bin/freepublish/submit")
async def submit(call: Call) -> dict[str, Any]:
    draft = draft_or_40007(call, call.json().get("media_id"))
    store = call.sandbox.store
    now = call.now()
    account = get_account(call.sandbox, call.appid) or {}
    delay = float((account.get("callback_delays") or {}).get("publish", 2.0))
    publish_id = str(store.sequence("publish_id", 2_247_483_647))
    msg_data_id = str(store.sequence("msg_data_id", 2_247_483_647))
    article_id = ids.media_id()[:40]
    items = _news_items(call, draft)
    urls = [f"http://mp.weixin.qq.com/s/{ids.qr_path()}" for _ in items]
    store.delete(DRAFT, call.appid, draft["media_id"])
    store.put(
        PUBLISH,
        call.appid,
        publish_id,
        {
            "publish_id": publish_id,
            "msg_data_id": msg_data_id,
            "article_id": article_id,
            "articles": draft["articles"],
            "urls": urls,
            "finish_at": now + delay,
            "deleted": [],
            "create_time": int(now),
        },
    )
    packet = {
        "ToUserName": account.get("original_id", ""),
        "FromUserName": account.get("original_id", ""),
        "CreateTime": int(now + delay),
        "MsgType": "event",
        "Event": "PUBLISHJOBFINISH",
        "PublishEventInfo": {
            "publish_id": publish_id,
            "publish_status": 0,
            "article_id": article_id,
            "article_detail": {
                "count": len(urls),
                "item": [{"idx": i, "article_url": u} for i, u in enumerate(urls, start=1)],
            },
        },
    }
    enqueue_packet(
        call.sandbox,
        call.appid,
        packet,
        replyable=False,
        delay=delay,
        summary=f"PUBLISHJOBFINISH {publish_id}",
    )
    return ok(publish_id=publish_id, msg_data_id=msg_data_id)


def _publication(call: Call, **where: Any) -> Doc:
    found = call.sandbox.store.list(PUBLISH, call.appid, where=where)
    if not found:
        raise ApiError(40007)
    return found[0]


def publish_status(call: Call, pub: Doc) -> int:
    if pub["deleted"] == ["all"]:
        return 5
    return 0 if call.now() >= pub["finish_at"] else 1


@area.api("/cgi-bin/freepublish/get")
async def get_publication(call: Call) -> dict[str, Any]:
    pub = _publication(call, publish_id=str(call.json().get("publish_id", "")))
    status = publish_status(call, pub)
    answer: dict[str, Any] = {"publish_id": pub["publish_id"], "publish_status": status}
    if status in (0, 5):
        answer["article_id"] = pub["article_id"]
        answer["article_detail"] = {
            "count": len(pub["urls"]),
            "item": [{"idx": i, "article_url": u} for i, u in enumerate(pub["urls"], start=1)],
        }
        answer["fail_idx"] = []
    return answer


@area.api("/cgi-bin/freepublish/delete")
async def delete_publication(call: Call) -> dict[str, Any]:
    body = call.json()
    pub = _publication(call, article_id=str(body.get("article_id", "")))
    index = int(body.get("index", 0) or 0)
    if index < 0 or index > len(pub["articles"]):
        raise ApiError(40060)
    pub["deleted"] = ["all"] if index == 0 else [*pub["deleted"], index]
    call.sandbox.store.put(PUBLISH, call.appid, pub["publish_id"], pub)
    return ok()


def _published_items(pub: Doc, *, with_content: bool = True) -> list[dict[str, Any]]:
    items = []
    for idx, (article, url) in enumerate(zip(pub["articles"], pub["urls"], strict=True), start=1):
        item = {
            **article,
            "url": url,
            "is_deleted": pub["deleted"] == ["all"] or idx in pub["deleted"],
        }
        if not with_content:
            item.pop("content", None)
        items.append(item)
    return items


@area.api("/cgi-bin/freepublish/getarticle")
async def get_article(call: Call) -> dict[str, Any]:
    pub = _publication(call, article_id=str(call.json().get("article_id", "")))
    return {"news_item": _published_items(pub)}


@area.api("/cgi-bin/freepublish/batchget")
async def batchget_published(call: Call) -> dict[str, Any]:
    offset, size, no_content = _page(call)
    now = call.now()
    done = [
        p
        for p in call.sandbox.store.list(PUBLISH, call.appid, newest_first=True)
        if p["finish_at"] <= now and p["deleted"] != ["all"]
    ]
    page = done[offset : offset + size]
    return {
        "total_count": len(done),
        "item_count": len(page),
        "item": [
            {
                "article_id": p["article_id"],
                "update_time": p["create_time"],
                "content": {
                    "news_item": _published_items(p, with_content=not no_content),
                    "create_time": p["create_time"],
                    "update_time": p["create_time"],
                },
            }
            for p in page
        ],
    }
