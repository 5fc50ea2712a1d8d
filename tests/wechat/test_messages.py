"""Every inbound message and event type, parsed from a real-format fixture."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shequn.wechat import messages as m
from shequn.wechat.exceptions import MalformedXML, ProtocolError
from shequn.wechat.messages.base import registered

FIXTURES = Path(__file__).parent / "fixtures" / "callbacks"

EXPECTED: dict[str, type[m.InboundMessage]] = {
    "text__plain": m.TextMessage,
    "text__from_article": m.TextMessage,
    "image__plain": m.ImageMessage,
    "voice__recognition": m.VoiceMessage,
    "voice__no_recognition": m.VoiceMessage,
    "video__plain": m.VideoMessage,
    "shortvideo__plain": m.ShortVideoMessage,
    "location__plain": m.LocationMessage,
    "link__plain": m.LinkMessage,
    "event__subscribe_plain": m.SubscribeEvent,
    "event__subscribe_qrscene": m.SubscribeEvent,
    "event__unsubscribe": m.UnsubscribeEvent,
    "event__scan": m.ScanEvent,
    "event__location": m.LocationEvent,
    "event__click": m.ClickEvent,
    "event__view": m.ViewEvent,
    "event__scancode_push": m.ScanCodePushEvent,
    "event__scancode_waitmsg": m.ScanCodeWaitMsgEvent,
    "event__pic_sysphoto": m.PicSysPhotoEvent,
    "event__pic_photo_or_album": m.PicPhotoOrAlbumEvent,
    "event__pic_weixin": m.PicWeixinEvent,
    "event__location_select": m.LocationSelectEvent,
    "event__view_miniprogram": m.ViewMiniprogramEvent,
    "event__templatesendjobfinish_success": m.TemplateSendJobFinishEvent,
    "event__templatesendjobfinish_user_block": m.TemplateSendJobFinishEvent,
    "event__masssendjobfinish": m.MassSendJobFinishEvent,
    "event__masssendjobfinish_empty_blocks": m.MassSendJobFinishEvent,
    "event__publishjobfinish_success": m.PublishJobFinishEvent,
    "event__publishjobfinish_failed": m.PublishJobFinishEvent,
    "event__subscribe_msg_popup_event": m.SubscribeMsgPopupEvent,
    "event__subscribe_msg_change_event": m.SubscribeMsgChangeEvent,
    "event__subscribe_msg_change_event_doc_sample": m.SubscribeMsgChangeEvent,
    "event__subscribe_msg_sent_event": m.SubscribeMsgSentEvent,
    "event__kf_create_session": m.KfCreateSessionEvent,
    "event__kf_close_session": m.KfCloseSessionEvent,
    "event__kf_switch_session": m.KfSwitchSessionEvent,
    "event__qualification_verify_success": m.QualificationVerifySuccessEvent,
    "event__qualification_verify_fail": m.QualificationVerifyFailEvent,
    "event__naming_verify_success": m.NamingVerifySuccessEvent,
    "event__naming_verify_fail": m.NamingVerifyFailEvent,
    "event__annual_renew": m.AnnualRenewEvent,
    "event__verify_expired": m.VerifyExpiredEvent,
    "event__change_external_contact_add": m.AddExternalContactEvent,
    "event__change_external_contact_add_no_welcome": m.AddExternalContactEvent,
    "event__change_external_contact_add_half": m.AddHalfExternalContactEvent,
    "event__change_external_contact_edit": m.EditExternalContactEvent,
    "event__change_external_contact_del": m.DelExternalContactEvent,
    "event__change_external_contact_del_follow_user": m.DelFollowUserEvent,
    "event__change_external_contact_transfer_fail": m.TransferFailEvent,
    "event__change_external_contact_msg_audit_approved": m.MsgAuditApprovedEvent,
    "event__change_external_contact_unmodelled": m.ExternalContactEvent,
    "event__change_external_chat_create": m.ExternalChatCreateEvent,
    "event__change_external_chat_update_add_member": m.ExternalChatUpdateEvent,
    "event__change_external_chat_update_del_member": m.ExternalChatUpdateEvent,
    "event__change_external_chat_update_legacy_member_list": m.ExternalChatUpdateEvent,
    "event__change_external_chat_update_change_name": m.ExternalChatUpdateEvent,
    "event__change_external_chat_dismiss": m.ExternalChatDismissEvent,
    "event__change_external_chat_unmodelled": m.ExternalChatEvent,
    "event__change_external_tag_unmodelled": m.ExternalTagEvent,
    "event__change_external_tag_create": m.ExternalTagCreateEvent,
    "event__change_external_tag_update": m.ExternalTagUpdateEvent,
    "event__change_external_tag_delete": m.ExternalTagDeleteEvent,
    "event__change_external_tag_shuffle": m.ExternalTagShuffleEvent,
    "event__customer_acquisition_balance_low": m.CustomerAcquisitionEvent,
    "event__customer_acquisition_link_unavailable": m.CustomerAcquisitionEvent,
    "event__unknown_future_event": m.UnknownMessage,
    "miniprogrampage__unknown_type": m.UnknownMessage,
}


def load(name: str) -> m.InboundMessage:
    return m.parse_message((FIXTURES / f"{name}.xml").read_bytes())


def test_every_fixture_is_listed_and_exists() -> None:
    on_disk = {path.stem for path in FIXTURES.glob("*.xml")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "model"), sorted(EXPECTED.items()))
def test_fixture_parses_to_its_model(name: str, model: type[m.InboundMessage]) -> None:
    message = load(name)
    assert type(message) is model
    assert message.msg_type == name.split("__")[0]
    assert message.created_at.tzinfo is UTC
    assert message.raw_xml.startswith("<xml>")


def test_every_registered_model_has_a_fixture() -> None:
    covered = set(EXPECTED.values())
    missing = {cls.__name__ for cls in registered().values()} - {c.__name__ for c in covered}
    assert missing == set()


@pytest.mark.parametrize(
    "model", sorted(set(registered().values()), key=lambda c: str(getattr(c, "__name__", "")))
)
def test_every_model_names_its_documentation_page(model: type[m.InboundMessage]) -> None:
    assert "https://developer" in (inspect.getdoc(model) or "")


def test_platforms() -> None:
    assert load("text__plain").platform == "officialaccount"
    assert load("event__change_external_chat_create").platform == "wecom"
    assert load("event__customer_acquisition_balance_low").platform == "wecom"


def test_common_header_fields() -> None:
    message = load("text__plain")
    assert isinstance(message, m.TextMessage)
    assert message.to_user == "gh_1f567c6f4bbd"
    assert message.from_user == "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
    assert message.create_time == 1714037059
    assert message.created_at == datetime(2024, 4, 25, 9, 24, 19, tzinfo=UTC)
    assert message.content == "你好，请问<优惠>还有吗？"
    assert message.msg_id == "24567890123456789"
    assert message.msg_data_id == ""
    assert message.idx is None


def test_article_context_fields() -> None:
    message = load("text__from_article")
    assert isinstance(message, m.TextMessage)
    assert (message.msg_data_id, message.idx) == ("2247483651", 2)


def test_media_messages() -> None:
    image = load("image__plain")
    assert isinstance(image, m.ImageMessage)
    assert image.media_id == "m3dia_IMG_1"
    assert image.pic_url.startswith("http://mmbiz.qpic.cn/")
    voice = load("voice__recognition")
    assert isinstance(voice, m.VoiceMessage)
    assert (voice.format, voice.recognition) == ("amr", "明天几点开门")
    silent = load("voice__no_recognition")
    assert isinstance(silent, m.VoiceMessage)
    assert silent.recognition == ""
    video = load("shortvideo__plain")
    assert isinstance(video, m.ShortVideoMessage)
    assert video.thumb_media_id == "m3dia_THUMB_2"


def test_location_message_coordinates_are_floats() -> None:
    message = load("location__plain")
    assert isinstance(message, m.LocationMessage)
    assert message.latitude == pytest.approx(23.134521)
    assert message.longitude == pytest.approx(113.358803)
    assert (message.scale, message.label) == (20, "广州市天河区")


def test_link_message() -> None:
    message = load("link__plain")
    assert isinstance(message, m.LinkMessage)
    assert message.url == "https://example.com/spring?a=1&b=2"
    assert message.title == "春季新品"


def test_subscribe_scene_key_strips_the_prefix() -> None:
    qr = load("event__subscribe_qrscene")
    assert isinstance(qr, m.SubscribeEvent)
    assert qr.is_from_qr_code
    assert qr.scene_key == "store_042"
    assert qr.ticket.startswith("gQH47joAAAA")
    plain = load("event__subscribe_plain")
    assert isinstance(plain, m.SubscribeEvent)
    assert not plain.is_from_qr_code
    assert plain.scene_key == ""


def test_scan_scene_key_has_no_prefix() -> None:
    scan = load("event__scan")
    assert isinstance(scan, m.ScanEvent)
    assert scan.scene_key == "123123"


def test_location_event() -> None:
    event = load("event__location")
    assert isinstance(event, m.LocationEvent)
    assert event.latitude == pytest.approx(23.137466)
    assert event.longitude == pytest.approx(113.352425)
    assert event.precision == pytest.approx(119.38504)


def test_menu_events() -> None:
    click = load("event__click")
    assert isinstance(click, m.ClickEvent)
    assert click.event_key == "MENU_COUPON"
    view = load("event__view")
    assert isinstance(view, m.ViewEvent)
    assert (view.url, view.menu_id) == ("https://example.com/shop", "208379533")
    mini = load("event__view_miniprogram")
    assert isinstance(mini, m.ViewMiniprogramEvent)
    assert mini.event_key == "pages/index/index"


def test_scancode_events() -> None:
    push = load("event__scancode_push")
    assert isinstance(push, m.ScanCodePushEvent)
    assert (push.scan_type, push.scan_result) == ("qrcode", "https://example.com/q/1")
    wait = load("event__scancode_waitmsg")
    assert isinstance(wait, m.ScanCodeWaitMsgEvent)
    assert wait.scan_result == "EAN_13,6901234567892"


def test_pic_events_list_one_or_many_pictures() -> None:
    one = load("event__pic_sysphoto")
    assert isinstance(one, m.PicSysPhotoEvent)
    assert (one.count, one.pic_md5_sums) == (1, ("1b5f7c23b5bf75682a53e7b6d163e185",))
    two = load("event__pic_photo_or_album")
    assert isinstance(two, m.PicPhotoOrAlbumEvent)
    assert two.count == 2
    assert len(two.pic_md5_sums) == 2


def test_location_select() -> None:
    event = load("event__location_select")
    assert isinstance(event, m.LocationSelectEvent)
    assert (event.latitude, event.longitude, event.scale) == (23.0, 113.0, 15)
    assert event.label == " 广州市海珠区客村艺苑路 106号"
    assert event.poiname == ""


def test_template_send_job_finish() -> None:
    ok = load("event__templatesendjobfinish_success")
    assert isinstance(ok, m.TemplateSendJobFinishEvent)
    assert ok.succeeded
    assert ok.msg_id == "200163836"
    blocked = load("event__templatesendjobfinish_user_block")
    assert isinstance(blocked, m.TemplateSendJobFinishEvent)
    assert not blocked.succeeded
    assert blocked.status == "failed:user block"


def test_mass_send_job_finish_with_results() -> None:
    event = load("event__masssendjobfinish")
    assert isinstance(event, m.MassSendJobFinishEvent)
    assert event.succeeded
    assert (event.total_count, event.filter_count, event.sent_count, event.error_count) == (
        4,
        4,
        4,
        0,
    )
    assert event.copyright_check.check_state == 2
    assert [item.article_idx for item in event.copyright_check.items] == [1, 2]
    assert event.copyright_check.items[0].original_article_url == "Url_1"
    assert event.article_urls == (m.ArticleUrl(1, "http://mp.weixin.qq.com/s/abc"),)


def test_mass_send_job_finish_tolerates_empty_blocks() -> None:
    event = load("event__masssendjobfinish_empty_blocks")
    assert isinstance(event, m.MassSendJobFinishEvent)
    assert not event.succeeded
    assert event.status == "err(20013)"
    assert event.copyright_check.items == ()
    assert event.article_urls == ()


def test_publish_job_finish() -> None:
    ok = load("event__publishjobfinish_success")
    assert isinstance(ok, m.PublishJobFinishEvent)
    assert ok.succeeded
    assert ok.publish_id == "2247503051"
    assert [a.idx for a in ok.articles] == [1, 2]
    assert ok.articles[1].article_url == "https://mp.weixin.qq.com/s/two"
    failed = load("event__publishjobfinish_failed")
    assert isinstance(failed, m.PublishJobFinishEvent)
    assert not failed.succeeded
    assert failed.fail_idx == (1, 2)
    assert failed.articles == ()


def test_subscribe_msg_events() -> None:
    popup = load("event__subscribe_msg_popup_event")
    assert isinstance(popup, m.SubscribeMsgPopupEvent)
    assert [(i.status, i.popup_scene) for i in popup.items] == [("accept", 2), ("reject", 2)]
    for name in (
        "event__subscribe_msg_change_event",
        "event__subscribe_msg_change_event_doc_sample",
    ):
        change = load(name)
        assert isinstance(change, m.SubscribeMsgChangeEvent)
        assert [i.status for i in change.items] == ["reject"]
    sent = load("event__subscribe_msg_sent_event")
    assert isinstance(sent, m.SubscribeMsgSentEvent)
    assert sent.items[0].msg_id == "1700827132819554304"
    assert sent.items[0].error_code == 0


def test_kf_and_verification_events() -> None:
    switch = load("event__kf_switch_session")
    assert isinstance(switch, m.KfSwitchSessionEvent)
    assert (switch.from_kf_account, switch.to_kf_account) == ("test1@test", "test2@test")
    create = load("event__kf_create_session")
    assert isinstance(create, m.KfCreateSessionEvent)
    assert create.kf_account == "test1@test"
    renew = load("event__annual_renew")
    assert isinstance(renew, m.AnnualRenewEvent)
    assert renew.expired_time == 1745573059
    fail = load("event__naming_verify_fail")
    assert isinstance(fail, m.NamingVerifyFailEvent)
    assert (fail.fail_time, fail.fail_reason) == (1714037059, "名称不符")


def test_add_external_contact() -> None:
    event = load("event__change_external_contact_add")
    assert isinstance(event, m.AddExternalContactEvent)
    assert event.to_user == "ww55ca070cb9b7eb22"
    assert event.from_user == "sys"
    assert event.change_type == "add_external_contact"
    assert (event.user_id, event.external_user_id) == (
        "zhangsan",
        "woAJ2GCAAAXtWyujaWJHDDGi0mACH71w",
    )
    assert (event.state, event.welcome_code) == ("store_042", "WELCOMECODE")
    bare = load("event__change_external_contact_add_no_welcome")
    assert isinstance(bare, m.AddExternalContactEvent)
    assert (bare.state, bare.welcome_code) == ("", "")


def test_other_external_contact_changes() -> None:
    half = load("event__change_external_contact_add_half")
    assert isinstance(half, m.AddHalfExternalContactEvent)
    assert half.welcome_code == "WELCOMECODE2"
    deleted = load("event__change_external_contact_del")
    assert isinstance(deleted, m.DelExternalContactEvent)
    assert deleted.by_transfer
    failed = load("event__change_external_contact_transfer_fail")
    assert isinstance(failed, m.TransferFailEvent)
    assert (failed.fail_reason, failed.user_id) == ("customer_refused", "lisi")
    audit = load("event__change_external_contact_msg_audit_approved")
    assert isinstance(audit, m.MsgAuditApprovedEvent)
    assert audit.welcome_code == "WELCOMECODE"
    future = load("event__change_external_contact_unmodelled")
    assert future.change_type == "some_future_change"  # type: ignore[attr-defined]


def test_external_chat_update_members() -> None:
    added = load("event__change_external_chat_update_add_member")
    assert isinstance(added, m.ExternalChatUpdateEvent)
    assert added.update_detail == "add_member"
    assert (added.join_scene, added.quit_scene, added.mem_change_cnt) == (3, None, 2)
    assert added.mem_change_list == ("wmJack", "wmRose")
    assert added.cur_mem_ver == "71217227bbd112ecfe3a49c482195cb4"
    removed = load("event__change_external_chat_update_del_member")
    assert isinstance(removed, m.ExternalChatUpdateEvent)
    assert (removed.quit_scene, removed.mem_change_list) == (1, ("wmJack",))
    legacy = load("event__change_external_chat_update_legacy_member_list")
    assert isinstance(legacy, m.ExternalChatUpdateEvent)
    assert legacy.mem_change_list == ("wmJack", "wmRose")
    renamed = load("event__change_external_chat_update_change_name")
    assert isinstance(renamed, m.ExternalChatUpdateEvent)
    assert renamed.mem_change_list == ()


def test_external_tag_events() -> None:
    deleted = load("event__change_external_tag_delete")
    assert isinstance(deleted, m.ExternalTagDeleteEvent)
    assert (deleted.tag_id, deleted.tag_type, deleted.strategy_id) == ("etm7wjCgAAAAA", "tag", "1")
    group = load("event__change_external_tag_update")
    assert isinstance(group, m.ExternalTagUpdateEvent)
    assert group.tag_type == "tag_group"


def test_customer_acquisition_events() -> None:
    event = load("event__customer_acquisition_link_unavailable")
    assert isinstance(event, m.CustomerAcquisitionEvent)
    assert (event.change_type, event.link_id) == ("link_unavailable", "cawcdea7783d7330c6")


def test_unknown_message_keeps_everything() -> None:
    raw = (FIXTURES / "event__unknown_future_event.xml").read_text()
    message = m.parse_message(raw)
    assert isinstance(message, m.UnknownMessage)
    assert message.event == "some_future_event"
    assert message.fields["Foo"] == "bar"
    assert message.raw_xml == raw


def test_unknown_message_without_header_is_still_returned() -> None:
    message = m.parse_message(b"<xml><Foo>1</Foo></xml>")
    assert isinstance(message, m.UnknownMessage)
    assert message.msg_type == ""
    assert message.fields == {"Foo": "1"}


def test_event_names_match_case_insensitively() -> None:
    fields = dict(m.parse_message((FIXTURES / "event__scan.xml").read_bytes()).fields)
    fields["Event"] = "scan"
    assert isinstance(m.message_from_fields(fields), m.ScanEvent)


def test_message_from_fields_matches_parse_message() -> None:
    parsed = load("event__click")
    assert m.message_from_fields(parsed.fields) == parsed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("CreateTime", "yesterday"),
        ("CreateTime", "-5"),
        ("CreateTime", "99999999999999"),
        ("CreateTime", "１２３"),
        ("Idx", "1_000"),
    ],
)
def test_malformed_numbers_are_protocol_errors(field: str, value: str) -> None:
    fields = dict(load("text__from_article").fields)
    fields[field] = value
    with pytest.raises(ProtocolError):
        m.message_from_fields(fields)


@pytest.mark.parametrize("value", ["nan", "inf", "1e999", "12,5", ""])
def test_coordinates_must_be_finite_numbers(value: str) -> None:
    fields = dict(load("location__plain").fields)
    fields["Location_X"] = value
    if value == "":
        message = m.message_from_fields(fields)
        assert isinstance(message, m.LocationMessage)
        assert message.latitude is None
    else:
        with pytest.raises(ProtocolError):
            m.message_from_fields(fields)


def test_missing_required_header_is_a_protocol_error() -> None:
    fields = dict(load("text__plain").fields)
    del fields["CreateTime"]
    with pytest.raises(ProtocolError, match="CreateTime"):
        m.message_from_fields(fields)


def test_nested_element_where_text_is_expected() -> None:
    with pytest.raises(ProtocolError):
        m.parse_message(
            b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
            b"<CreateTime>1</CreateTime><MsgType>text</MsgType>"
            b"<Content><b>bold</b></Content></xml>"
        )


def test_text_where_nested_elements_are_expected() -> None:
    with pytest.raises(ProtocolError):
        m.parse_message(
            b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
            b"<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>scancode_push</Event>"
            b"<ScanCodeInfo>not nested</ScanCodeInfo></xml>"
        )


def test_member_list_items_must_be_text() -> None:
    with pytest.raises(ProtocolError):
        m.parse_message(
            b"<xml><ToUserName>a</ToUserName><FromUserName>sys</FromUserName>"
            b"<CreateTime>1</CreateTime><MsgType>event</MsgType>"
            b"<Event>change_external_chat</Event><ChangeType>update</ChangeType>"
            b"<MemChangeList><Item><x>1</x></Item></MemChangeList></xml>"
        )


def test_parse_message_rejects_non_xml() -> None:
    with pytest.raises(MalformedXML):
        m.parse_message(b'{"MsgType": "text"}')


def test_register_refuses_duplicates() -> None:
    with pytest.raises(ValueError, match="already registered"):
        m.register("text")(m.TextMessage)


def test_lookup_falls_back_per_event_then_to_unknown() -> None:
    assert m.lookup("event", "change_external_chat", "brand_new") is m.ExternalChatEvent
    assert m.lookup("event", "nothing_like_this") is m.UnknownMessage
    assert m.lookup("TEXT") is m.TextMessage
