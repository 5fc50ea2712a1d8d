"""Passive replies render to XML WeChat accepts and read back through parse_xml."""

from __future__ import annotations

import time

import pytest

from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.messages import TextMessage, parse_message
from shequn.wechat.replies import (
    EMPTY,
    SUCCESS,
    Article,
    ImageReply,
    MusicReply,
    NewsReply,
    TextReply,
    TransferCustomerServiceReply,
    VideoReply,
    VoiceReply,
)
from shequn.wechat.xmlsafe import parse_xml

INBOUND = parse_message(
    b"<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
    b"<FromUserName><![CDATA[o_follower]]></FromUserName><CreateTime>1714037059</CreateTime>"
    b"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>"
    b"<MsgId>1</MsgId></xml>"
)
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


def test_reply_to_swaps_the_ids() -> None:
    assert isinstance(INBOUND, TextMessage)
    reply = TextReply.to(INBOUND, content="hello", create_time=1714037060)
    fields = parse_xml(reply.render())
    assert fields == {
        "ToUserName": "o_follower",
        "FromUserName": "gh_account",
        "CreateTime": "1714037060",
        "MsgType": "text",
        "Content": "hello",
    }


def test_create_time_defaults_to_now() -> None:
    reply = TextReply(to_user="o", from_user="gh", content="x")
    assert abs(reply.create_time - time.time()) < 5


def test_text_with_markup_and_cdata_terminator_round_trips() -> None:
    content = 'See <a href="https://example.com/?a=1&b=2">here</a> ]]> done\nline 2'
    reply = TextReply(to_user="o", from_user="gh", content=content, create_time=1)
    assert parse_xml(reply.render())["Content"] == content


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (ImageReply(to_user="o", from_user="g", media_id="m1"), {"Image": {"MediaId": "m1"}}),
        (VoiceReply(to_user="o", from_user="g", media_id="m2"), {"Voice": {"MediaId": "m2"}}),
        (
            VideoReply(to_user="o", from_user="g", media_id="m3", title="T", description="D"),
            {"Video": {"MediaId": "m3", "Title": "T", "Description": "D"}},
        ),
        (VideoReply(to_user="o", from_user="g", media_id="m3"), {"Video": {"MediaId": "m3"}}),
        (
            MusicReply(
                to_user="o",
                from_user="g",
                thumb_media_id="t1",
                title="Song",
                description="Desc",
                music_url="http://m/1.mp3",
                hq_music_url="http://m/1hq.mp3",
            ),
            {
                "Music": {
                    "Title": "Song",
                    "Description": "Desc",
                    "MusicUrl": "http://m/1.mp3",
                    "HQMusicUrl": "http://m/1hq.mp3",
                    "ThumbMediaId": "t1",
                }
            },
        ),
        (
            MusicReply(to_user="o", from_user="g", thumb_media_id="t1"),
            {"Music": {"ThumbMediaId": "t1"}},
        ),
        (TransferCustomerServiceReply(to_user="o", from_user="g"), {}),
        (
            TransferCustomerServiceReply(to_user="o", from_user="g", kf_account="kf1@gh"),
            {"TransInfo": {"KfAccount": "kf1@gh"}},
        ),
    ],
    ids=lambda v: getattr(v, "msg_type", ""),
)
def test_media_replies_render_their_body(reply: object, expected: dict[str, object]) -> None:
    fields = parse_xml(reply.render())  # type: ignore[attr-defined]
    assert fields["MsgType"] == reply.msg_type  # type: ignore[attr-defined]
    body = {
        k: v
        for k, v in fields.items()
        if k not in {"ToUserName", "FromUserName", "CreateTime", "MsgType"}
    }
    assert body == expected


def test_news_reply() -> None:
    reply = NewsReply(
        to_user="o",
        from_user="g",
        articles=(
            Article("First", "big", "https://img/1.jpg", "https://a/1"),
            Article("Second", url="https://a/2"),
        ),
    )
    fields = parse_xml(reply.render())
    assert fields["ArticleCount"] == "2"
    items = fields["Articles"]["item"]
    assert [item["Title"] for item in items] == ["First", "Second"]
    assert items[0]["PicUrl"] == "https://img/1.jpg"
    assert items[1]["Description"] == ""


@pytest.mark.parametrize("count", [0, 9])
def test_news_article_limits(count: int) -> None:
    with pytest.raises(ValueError, match="1 to 8"):
        NewsReply(to_user="o", from_user="g", articles=(Article("x"),) * count)


def test_news_allows_eight() -> None:
    reply = NewsReply(to_user="o", from_user="g", articles=(Article("x"),) * 8)
    assert len(parse_xml(reply.render())["Articles"]["item"]) == 8


@pytest.mark.parametrize(
    "build",
    [
        lambda: TextReply(to_user="o", from_user="g", content=""),
        lambda: ImageReply(to_user="o", from_user="g", media_id=""),
        lambda: VoiceReply(to_user="o", from_user="g", media_id=""),
        lambda: VideoReply(to_user="o", from_user="g", media_id=""),
        lambda: MusicReply(to_user="o", from_user="g", thumb_media_id=""),
    ],
)
def test_required_fields(build: object) -> None:
    with pytest.raises(ValueError, match="required"):
        build()  # type: ignore[operator]


def test_encrypted_reply_decrypts_to_the_plain_reply() -> None:
    crypto = MessageCrypto("tok", KEY, "wx49f0ab532d5d035a")
    reply = TextReply.to(INBOUND, content="secret hello", create_time=5)
    envelope = reply.render_encrypted(crypto, "1714037059", "99887766")
    fields = parse_xml(envelope)
    assert set(fields) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    plain = crypto.decrypt_envelope(
        envelope, msg_signature=fields["MsgSignature"], timestamp="1714037059", nonce="99887766"
    )
    assert plain.decode() == reply.render()


def test_encrypted_reply_with_previous_key() -> None:
    previous = "A" * 43
    crypto = MessageCrypto("tok", KEY, "wxapp", previous_encoding_aes_key=previous)
    envelope = TextReply(to_user="o", from_user="g", content="x").render_encrypted(
        crypto, "1", "2", use_previous_key=True
    )
    only_old = MessageCrypto("tok", previous, "wxapp")
    assert b"<Content><![CDATA[x]]></Content>" in only_old.decrypt(parse_xml(envelope)["Encrypt"])


def test_no_reply_constants() -> None:
    assert SUCCESS == "success"
    assert EMPTY == ""
