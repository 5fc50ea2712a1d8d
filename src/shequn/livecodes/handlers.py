"""Inbox handlers of live codes: attribute customers who added staff through a code, and the
routed welcome for them."""

from __future__ import annotations

from shequn.ingest.handlers import HandlerContext, handles, register_welcome_composer
from shequn.livecodes import services
from shequn.livecodes.welcome_composer import LiveCodeWelcome

WECOM = "wecom"

register_welcome_composer(LiveCodeWelcome())


@handles(WECOM, "event", "change_external_contact", "add_external_contact")
@handles(WECOM, "event", "change_external_contact", "add_half_external_contact")
def on_customer_added(ctx: HandlerContext) -> None:
    m = ctx.message
    services.record_add(
        services.AddEvent(
            corp=ctx.channel,
            channel_ref=ctx.channel_ref,
            state=m.state or "",
            external_userid=m.external_user_id,
            staff_userid=m.user_id,
            at=m.created_at,
            event_uid=ctx.event.uid,
        )
    )
