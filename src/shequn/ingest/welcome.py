"""Sending the default welcome message with an add event's WelcomeCode."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shequn.core.logging import get_logger
from shequn.ingest.models import WelcomeDelivery
from shequn.jobs.tasks import tenant_task
from shequn.wechat.errors import APIError

log = get_logger(__name__)

# WeCom accepts a WelcomeCode for 20 seconds after the add event, once.
WELCOME_CODE_LIFETIME = timedelta(seconds=20)


@tenant_task("ingest.send_welcome", queue="ingest", max_attempts=1)
def send_welcome(delivery_id: int) -> None:
    from shequn.channels import queries as channel_queries
    from shequn.channels import services as channel_services

    delivery = WelcomeDelivery.objects.select_related("event").filter(pk=delivery_id).first()
    if delivery is None or delivery.ok is not None:
        return
    event = delivery.event
    delivery.attempted_at = timezone.now()
    corp = channel_queries.channel_for_event("wecom", event.channel_id)
    code = str(event.fields.get("WelcomeCode", ""))
    if corp is None or not corp.welcome_message:
        delivery.ok, delivery.detail = False, "no welcome message configured"
    elif delivery.attempted_at - event.received_at > WELCOME_CODE_LIFETIME:
        delivery.ok, delivery.detail = False, "welcome code expired before sending"
    else:
        try:
            with channel_services.wecom_client(corp) as client:
                client.welcome.send(code, text=corp.welcome_message)
            delivery.ok, delivery.errcode, delivery.detail = True, 0, "sent"
        except APIError as exc:
            delivery.ok, delivery.errcode = False, exc.errcode
            delivery.detail = str(exc)[:300]
        except Exception as exc:  # noqa: BLE001 - the outcome is recorded, never retried (code is single-use)
            delivery.ok, delivery.detail = False, type(exc).__name__
    delivery.save()
    log.info(
        "ingest.welcome.sent" if delivery.ok else "ingest.welcome.failed",
        delivery=str(delivery.uid),
    )
