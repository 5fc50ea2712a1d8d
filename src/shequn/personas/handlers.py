"""Keep each staff account's customers current from WeCom's customer events (idempotent)."""

from __future__ import annotations

from shequn.contacts import services as contact_services
from shequn.contacts.models import Identity
from shequn.ingest.handlers import HandlerContext, handles
from shequn.personas import services
from shequn.personas.models import StaffCustomer

WECOM = "wecom"


@handles(WECOM, "event", "change_external_contact", "add_external_contact")
@handles(WECOM, "event", "change_external_contact", "add_half_external_contact")
def on_customer_added(ctx: HandlerContext) -> None:
    m = ctx.message
    if not m.user_id or not m.external_user_id:
        return
    contact = contact_services.contact_for_identity(
        Identity.Kind.WECOM_EXTERNAL_USERID, m.external_user_id, ctx.channel_ref
    )
    services.customer_added(
        ctx.channel, m.user_id, m.external_user_id, at=m.created_at, state=m.state, contact=contact
    )


@handles(WECOM, "event", "change_external_contact", "del_external_contact")
def on_removed_by_staff(ctx: HandlerContext) -> None:
    m = ctx.message
    services.customer_removed(
        ctx.channel,
        m.user_id,
        m.external_user_id,
        at=m.created_at,
        by=StaffCustomer.RemovedBy.STAFF,
    )


@handles(WECOM, "event", "change_external_contact", "del_follow_user")
def on_removed_by_customer(ctx: HandlerContext) -> None:
    m = ctx.message
    services.customer_removed(
        ctx.channel,
        m.user_id,
        m.external_user_id,
        at=m.created_at,
        by=StaffCustomer.RemovedBy.CUSTOMER,
    )
