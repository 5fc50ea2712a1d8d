"""Inbox handlers that keep contacts, follower state, the timeline and groups up to date."""

from __future__ import annotations

from shequn.contacts import services
from shequn.contacts.models import Identity
from shequn.contacts.tasks import fetch_follower
from shequn.ingest.handlers import HandlerContext, handles
from shequn.jobs.tasks import enqueue_on_commit

OA = "officialaccount"
WECOM = "wecom"
USER_MESSAGE_TYPES = ("text", "image", "voice", "video", "shortvideo", "location", "link")


def _source(ctx: HandlerContext, kind: str) -> str:
    return f"inbox:{ctx.event.uid}:{kind}"


def _oa_contact(ctx: HandlerContext):  # type: ignore[no-untyped-def]
    return services.contact_for_identity(
        Identity.Kind.OA_OPENID, ctx.message.from_user, ctx.channel_ref
    )


@handles(OA, "event", "subscribe")
def on_follow(ctx: HandlerContext) -> None:
    m = ctx.message
    scene = m.scene_key
    contact = services.follow(
        ctx.channel, m.from_user, channel_ref=ctx.channel_ref, scene=scene, at=m.created_at
    )
    services.add_timeline_event(
        contact,
        "followed",
        channel_ref=ctx.channel_ref,
        occurred_at=m.created_at,
        source_key=_source(ctx, "followed"),
        data={"scene": scene},
    )
    services.apply_scene_rules(contact, scene)
    enqueue_on_commit(fetch_follower, ctx.event.tenant_id, ctx.channel.pk, m.from_user)


@handles(OA, "event", "unsubscribe")
def on_unfollow(ctx: HandlerContext) -> None:
    m = ctx.message
    contact = services.unfollow(
        ctx.channel, m.from_user, channel_ref=ctx.channel_ref, at=m.created_at
    )
    services.add_timeline_event(
        contact,
        "unfollowed",
        channel_ref=ctx.channel_ref,
        occurred_at=m.created_at,
        source_key=_source(ctx, "unfollowed"),
    )


@handles(OA, "event", "SCAN")
def on_scan(ctx: HandlerContext) -> None:
    m = ctx.message
    contact = _oa_contact(ctx)
    services.touch(contact, ctx.channel_ref, m.scene_key, m.created_at)
    services.add_timeline_event(
        contact,
        "scanned",
        channel_ref=ctx.channel_ref,
        occurred_at=m.created_at,
        source_key=_source(ctx, "scanned"),
        data={"scene": m.scene_key},
    )
    services.apply_scene_rules(contact, m.scene_key)


@handles(OA, "event", "LOCATION")
def on_location(ctx: HandlerContext) -> None:
    m = ctx.message
    services.set_location(_oa_contact(ctx), m.latitude, m.longitude, m.created_at)


@handles(OA, "event", "CLICK")
@handles(OA, "event", "VIEW")
def on_menu(ctx: HandlerContext) -> None:
    m = ctx.message
    kind = "menu_click" if m.event.upper() == "CLICK" else "menu_view"
    services.add_timeline_event(
        _oa_contact(ctx),
        kind,
        channel_ref=ctx.channel_ref,
        occurred_at=m.created_at,
        source_key=_source(ctx, kind),
        data={"key": m.event_key},
    )


def on_user_message(ctx: HandlerContext) -> None:
    m = ctx.message
    data = {"msg_type": m.msg_type}
    if m.msg_type == "text":
        data["content"] = str(m.fields.get("Content", ""))[:500]
    contact = _oa_contact(ctx)
    services.add_timeline_event(
        contact,
        "message_received",
        channel_ref=ctx.channel_ref,
        occurred_at=m.created_at,
        source_key=_source(ctx, "message"),
        data=data,
    )
    if m.msg_type == "text":
        services.apply_keyword_rules(contact, str(m.fields.get("Content", "")))


for _msg_type in USER_MESSAGE_TYPES:
    handles(OA, _msg_type)(on_user_message)


# -- WeCom ---------------------------------------------------------------------------------


def _wecom_contact(ctx: HandlerContext):  # type: ignore[no-untyped-def]
    return services.contact_for_identity(
        Identity.Kind.WECOM_EXTERNAL_USERID, ctx.message.external_user_id, ctx.channel_ref
    )


@handles(WECOM, "event", "change_external_contact", "add_external_contact")
@handles(WECOM, "event", "change_external_contact", "add_half_external_contact")
def on_customer_added(ctx: HandlerContext) -> None:
    m = ctx.message
    contact = _wecom_contact(ctx)
    services.touch(contact, ctx.channel_ref, m.state, m.created_at)
    services.add_timeline_event(
        contact,
        "wecom_added",
        channel_ref=ctx.channel_ref,
        occurred_at=m.created_at,
        source_key=_source(ctx, "wecom_added"),
        data={"staff": m.user_id, "state": m.state},
    )
    services.apply_scene_rules(contact, m.state)


@handles(WECOM, "event", "change_external_contact", "edit_external_contact")
@handles(WECOM, "event", "change_external_contact", "del_external_contact")
@handles(WECOM, "event", "change_external_contact", "del_follow_user")
def on_customer_changed(ctx: HandlerContext) -> None:
    m = ctx.message
    kind = {
        "edit_external_contact": "wecom_edited",
        "del_external_contact": "wecom_removed_by_staff",
        "del_follow_user": "wecom_deleted_staff",
    }[m.change_type]
    services.add_timeline_event(
        _wecom_contact(ctx),
        kind,
        channel_ref=ctx.channel_ref,
        occurred_at=m.created_at,
        source_key=_source(ctx, kind),
        data={"staff": m.user_id},
    )


@handles(WECOM, "event", "change_external_chat", "create")
def on_group_created(ctx: HandlerContext) -> None:
    services.group(ctx.channel, ctx.message.chat_id, ctx.message.created_at)


@handles(WECOM, "event", "change_external_chat", "update")
def on_group_updated(ctx: HandlerContext) -> None:
    m = ctx.message
    customer_group = services.group(ctx.channel, m.chat_id, m.created_at)
    if m.update_detail == "add_member":
        joined = services.members_joined(
            customer_group,
            m.mem_change_list,
            corp_ref=ctx.channel_ref,
            join_scene=m.join_scene,
            at=m.created_at,
        )
        for membership in joined:
            if membership.contact is not None:
                services.apply_group_join_rules(membership.contact, m.chat_id)
    elif m.update_detail == "del_member":
        services.members_left(
            customer_group, m.mem_change_list, quit_scene=m.quit_scene, at=m.created_at
        )
    if m.cur_mem_ver:
        customer_group.member_version = m.cur_mem_ver
        customer_group.save(update_fields=["member_version"])


@handles(WECOM, "event", "change_external_chat", "dismiss")
def on_group_dismissed(ctx: HandlerContext) -> None:
    m = ctx.message
    services.group_dismissed(services.group(ctx.channel, m.chat_id, m.created_at), m.created_at)
