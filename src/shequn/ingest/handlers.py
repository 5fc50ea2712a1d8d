"""The handler registry's public face (`handles`, `HandlerContext`) and the inbox's own
handlers: outcomes of mass sends and template messages, and welcome messages for new customers."""

from __future__ import annotations

from shequn.ingest.models import OutboundJobResult, WelcomeDelivery
from shequn.ingest.registry import HandlerContext, autodiscover, handlers_for, handles
from shequn.ingest.welcome import (
    WelcomeComposer,
    WelcomeContent,
    WelcomeRequest,
    register_welcome_composer,
    welcome_claimed,
)
from shequn.jobs.tasks import enqueue_on_commit

__all__ = [
    "HandlerContext",
    "WelcomeComposer",
    "WelcomeContent",
    "WelcomeRequest",
    "autodiscover",
    "handlers_for",
    "handles",
    "register_welcome_composer",
]

OA = "officialaccount"
WELCOME_PRIORITY = 50  # ahead of everything else on the ingest queue: the code lives 20 s


@handles(OA, "event", "MASSSENDJOBFINISH")
@handles(OA, "event", "TEMPLATESENDJOBFINISH")
def on_job_finished(ctx: HandlerContext) -> None:
    m = ctx.message
    mass = m.event.upper() == "MASSSENDJOBFINISH"
    values = {
        "status": m.status[:200],
        "reported_at": m.created_at,
        "total_count": getattr(m, "total_count", None),
        "filter_count": getattr(m, "filter_count", None),
        "sent_count": getattr(m, "sent_count", None),
        "error_count": getattr(m, "error_count", None),
    }
    OutboundJobResult.objects.update_or_create(
        channel_id=ctx.channel.pk,
        kind=OutboundJobResult.JobKind.MASS_SEND if mass else OutboundJobResult.JobKind.TEMPLATE,
        msg_id=m.msg_id,
        defaults=values,
    )


@handles("wecom", "event", "change_external_contact", "add_external_contact")
def on_customer_added_welcome(ctx: HandlerContext) -> None:
    m = ctx.message
    if not m.welcome_code:
        return
    if not (ctx.channel.welcome_message or welcome_claimed(ctx.channel, m.state or "")):
        return
    delivery, created = WelcomeDelivery.objects.get_or_create(
        event=ctx.event,
        defaults={"external_user_id": m.external_user_id, "staff_user_id": m.user_id},
    )
    if created:
        from shequn.ingest.welcome import send_welcome

        enqueue_on_commit(
            send_welcome.using(priority=WELCOME_PRIORITY), ctx.event.tenant_id, delivery.pk
        )
