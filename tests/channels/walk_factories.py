"""Factories for the tenant-isolation walk: one object of every channels/ingest/contacts model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shequn.channels.models import StoredToken
from shequn.contacts import services as contact_services
from shequn.contacts.models import ContactMerge, CustomerGroup, GroupMembership, Identity
from shequn.ingest.inbox import NewEvent, insert_now
from shequn.ingest.models import InboundEvent, OutboundJobResult, WelcomeDelivery
from tests.channels.factories import make_official_account, make_wecom_corp

NOW = datetime(2025, 6, 15, tzinfo=UTC)
SECRET = "sakura-app-secret-value"


def _oa(t: Any) -> Any:
    from shequn.channels.models import OfficialAccount

    return (
        OfficialAccount.objects.filter(appid="wx0000000000000001").first()
        or make_official_account()
    )


def _corp(t: Any) -> Any:
    from shequn.channels.models import WeComCorp

    return WeComCorp.objects.filter(corpid="ww0000000000000001").first() or make_wecom_corp()


def _event(t: Any) -> InboundEvent:
    oa = _oa(t)
    existing: InboundEvent | None = InboundEvent.objects.filter(dedupe_key="walk").first()
    if existing:
        return existing
    row = NewEvent(
        tenant_id=t.workspace.pk,
        channel_kind="oa",
        channel_id=oa.pk,
        platform="officialaccount",
        msg_type="text",
        event="",
        change_type="",
        dedupe_key="walk",
        from_user="oSakuraWalk",
        raw_xml="<xml>sakura-inbox-marker</xml>",
        fields={},
        received_at=NOW,
    )
    insert_now(row, enqueue=lambda new: None)
    created: InboundEvent = InboundEvent.objects.get(dedupe_key="walk")
    return created


def _contact(t: Any) -> Any:
    return contact_services.contact_for_identity(Identity.Kind.OA_OPENID, "oSakuraWalk", "oa:walk")


def factories(built_type: Any) -> dict[str, Any]:
    def wrap(fn: Any, secrets: list[str] | None = None) -> Any:
        return lambda t: built_type(fn(t), secrets or [])

    def pay(t: Any) -> Any:
        from shequn.channels import services

        return services.connect_pay_merchant(
            name="Sakura Pay", mchid="1900000001", serial_no="ABC", api_v3_key="k" * 32
        )

    def group(t: Any) -> CustomerGroup:
        return contact_services.group(_corp(t), "wrSakuraWalk", NOW)

    def membership(t: Any) -> GroupMembership:
        return contact_services.members_joined(
            group(t), ["wmWalk"], corp_ref="wecom:x", join_scene=3, at=NOW
        )[0]

    def merge(t: Any) -> ContactMerge:
        other = contact_services.contact_for_identity(Identity.Kind.OA_OPENID, "oOther", "oa:walk")
        contact_services.merge(keep=_contact(t), merge_away=other, reason="walk")
        merged: ContactMerge = ContactMerge.objects.get()
        return merged

    def follower(t: Any) -> Any:
        contact_services.follow(_oa(t), "oSakuraWalk", channel_ref="oa:walk", scene="s", at=NOW)
        from shequn.contacts.models import Follower

        return Follower.objects.get()

    def timeline(t: Any) -> Any:
        return contact_services.add_timeline_event(
            _contact(t), "followed", channel_ref="oa:walk", occurred_at=NOW, source_key="walk"
        )

    return {
        "channels.officialaccount": wrap(_oa, [SECRET]),
        "channels.wecomcorp": wrap(_corp, ["sakura-contact-secret"]),
        "channels.paymerchant": wrap(pay),
        "channels.storedtoken": wrap(
            lambda t: StoredToken.objects.create(key="walk", value="sakura-token-value"),
            ["sakura-token-value"],
        ),
        "ingest.inboundevent": wrap(_event, ["sakura-inbox-marker"]),
        "ingest.outboundjobresult": wrap(
            lambda t: OutboundJobResult.objects.create(
                channel_id=_oa(t).pk, kind="mass", msg_id="1", reported_at=NOW
            )
        ),
        "ingest.welcomedelivery": wrap(
            lambda t: WelcomeDelivery.objects.create(
                event=_event(t), external_user_id="wmWalk", staff_user_id="s"
            )
        ),
        "contacts.contact": wrap(_contact),
        "contacts.identity": wrap(
            lambda t: (
                Identity.objects.filter(value="oSakuraWalk").first()
                or _contact(t).identities.first()
            )
        ),
        "contacts.contactmerge": wrap(merge),
        "contacts.contactevent": wrap(timeline),
        "contacts.follower": wrap(follower),
        "contacts.customergroup": wrap(group),
        "contacts.groupmembership": wrap(membership),
    }


def callback_keys(t: Any) -> list[str]:
    from shequn.channels.models import OfficialAccount, PayMerchant, WeComCorp

    keys = []
    for model in (OfficialAccount, WeComCorp, PayMerchant):
        keys += [str(c.callback_key) for c in model.objects.for_tenant(t.workspace)]
    return keys or ["00000000-0000-4000-8000-000000000000"]
