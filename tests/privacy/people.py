"""A rich person across every app, built through the services, with values easy to search for."""

from __future__ import annotations

import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from shequn.contacts import services as contacts
from shequn.contacts.models import Contact, Identity
from shequn.inbox import services as inbox
from shequn.ingest.inbox import NewEvent, insert_now
from shequn.livecodes import services as livecodes
from shequn.personas import services as personas
from shequn.privacy import services as privacy
from tests.channels.factories import make_official_account, make_wecom_corp

AT = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


@dataclass
class Person:
    contact: Contact
    openid: str
    unionid: str
    external_userid: str
    nickname: str
    phone: str
    message_text: str
    merged_openid: str

    def needles(self) -> dict[str, str]:
        return {
            "openid": self.openid,
            "unionid": self.unionid,
            "external_userid": self.external_userid,
            "nickname": self.nickname,
            "phone": self.phone,
            "message text": self.message_text,
            "merged openid": self.merged_openid,
        }


def build_person(tenant: Any, tag: str = "p1") -> Person:
    oa = make_official_account(appid=f"wx{tag:0>16}", name=f"OA {tag}")
    corp = make_wecom_corp(corpid=f"ww{tag:0>16}", name=f"Corp {tag}")
    oa_ref, corp_ref = f"oa:{oa.uid}", f"wecom:{corp.uid}"
    openid = f"oPersonOpenid{tag}Zq81"
    p = Person(
        contact=None,  # type: ignore[arg-type]
        openid=openid,
        unionid=f"uPersonUnion{tag}Kx27",
        external_userid=f"wmPersonExternal{tag}Lm55",
        nickname=f"Hanako Sakuraba {tag}",
        phone="139" + str(zlib.crc32(tag.encode()) % 10**8).zfill(8),
        message_text=f"my skin is dry near the left eye {tag} please advise",
        merged_openid=f"oPersonOther{tag}Yt03",
    )
    contact = contacts.follow(oa, openid, channel_ref=oa_ref, scene="qr_spring", at=AT)
    inbox.record_inbound(
        oa, openid, kind="text", source_key=f"in:{tag}:1", at=timezone.now(), text=p.message_text
    )
    conversation = inbox.conversation_for(oa, openid)
    inbox.send_text(conversation, f"Dear {p.nickname}, thank you")
    contact = contacts.attach_unionid(contact, p.unionid)
    contact = contacts.attach_identity(contact, Identity.Kind.PHONE, p.phone)
    contact = contacts.attach_identity(
        contact, Identity.Kind.WECOM_EXTERNAL_USERID, p.external_userid, corp_ref
    )
    # A second contact of the same person (another account's openid), merged on the unionid.
    other = contacts.contact_for_identity(Identity.Kind.OA_OPENID, p.merged_openid, oa_ref)
    contacts.update_profile(other, remark=f"{p.nickname} (old)")
    contact = contacts.attach_unionid(other, p.unionid)
    contact = contacts.update_profile(
        contacts.resolve(contact), nickname=p.nickname, display_name=p.nickname, region="Shanghai"
    )
    contacts.add_timeline_event(
        contact,
        "message",
        channel_ref=oa_ref,
        occurred_at=AT,
        source_key=f"tl:{tag}",
        data={"text": p.message_text, "openid": openid},
    )
    tag_row = contacts.create_tag(f"vip-{tag}")
    contacts.tag_contacts(tag_row, [contact])
    contacts.define_attribute(key=f"phone_note_{tag}", label="Note", value_type="text")
    contacts.set_attribute(contact, f"phone_note_{tag}", f"call {p.phone} after 6pm")
    group = contacts.group(corp, f"wrGroup{tag}", AT)
    contacts.members_joined(group, [p.external_userid], corp_ref=corp_ref, join_scene=3, at=AT)
    privacy.grant(contact, "marketing", source="form", evidence=f"form signed by {p.nickname}")
    privacy.withdraw(contact, "marketing", source="operator")
    privacy.grant(contact, "profiling", source="wechat_oauth")
    for n, (from_user, body) in enumerate(
        [
            (
                openid,
                f"<xml><FromUserName>{openid}</FromUserName><Content>{p.message_text}</Content></xml>",
            ),
            ("sys", f"<xml><ExternalUserID>{p.external_userid}</ExternalUserID></xml>"),
        ]
    ):
        insert_now(
            NewEvent(
                tenant_id=tenant.workspace.pk,
                channel_kind="oa",
                channel_id=oa.pk,
                platform="officialaccount",
                msg_type="text",
                event="",
                change_type="",
                dedupe_key=f"{from_user}{n}{tag}",
                from_user=from_user,
                raw_xml=body,
                fields={"FromUserName": from_user, "Content": p.message_text},
                received_at=AT,
            ),
            enqueue=lambda new: None,
        )
    # Acquisition: the staff account they added, through a live code that attributed them.
    personas.customer_added(
        corp, f"advisor-{tag}", p.external_userid, at=AT, state=f"lc-{tag}", contact=contact
    )
    campaign = livecodes.create_campaign(name=f"Insert {tag}", corp=corp, routing="attributes")
    code = livecodes.create_code(campaign, label=f"code {tag}", state=f"lc-{tag}")
    livecodes.record_add(
        livecodes.AddEvent(
            corp=corp,
            channel_ref=corp_ref,
            state=code.state,
            external_userid=p.external_userid,
            staff_userid=f"advisor-{tag}",
            at=AT,
            event_uid=uuid.uuid5(uuid.NAMESPACE_URL, f"add:{tag}"),
        )
    )
    p.contact = contacts.resolve(contact)
    return p
