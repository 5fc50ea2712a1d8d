"""Sending the welcome message with an add event's WelcomeCode, within WeCom's 20 seconds.

Other apps may supply the welcome for an add event: a *welcome composer* registered with
`register_welcome_composer` (re-exported by `ingest.handlers`, the shared kernel) says cheaply,
while the event is processed, whether it claims the event's `State`; the send task then asks it for
the text and attachments. Composers are asked in registration order; the first content wins. The
corp's `welcome_message` is the fallback when no composer claims the event, when a composer
returns nothing, or when it fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

from django.utils import timezone

from shequn.core.logging import get_logger
from shequn.ingest.models import WelcomeDelivery
from shequn.jobs.tasks import tenant_task
from shequn.wechat.errors import APIError

log = get_logger(__name__)

# WeCom accepts a WelcomeCode for 20 seconds after the add event, once.
WELCOME_CODE_LIFETIME = timedelta(seconds=20)


@dataclass(frozen=True)
class WelcomeRequest:
    """The add event a composer writes the welcome for."""

    corp: Any  # channels.WeComCorp
    channel_ref: str  # "wecom:<corp uid>", how contacts refer to the corp
    external_user_id: str
    staff_user_id: str
    state: str  # the contact way's state ("" when the customer did not come through one)
    event_uid: UUID


@dataclass(frozen=True)
class WelcomeContent:
    """What to send: text and/or up to 9 attachments (see `wechat.wecom.attachments`)."""

    text: str = ""
    attachments: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    note: str = ""  # recorded on the WelcomeDelivery: who composed it and what it carried


class WelcomeComposer(Protocol):
    def claims(self, corp: Any, state: str) -> bool:
        """Cheap: whether this composer writes the welcome for an add event with `state`."""

    def compose(self, request: WelcomeRequest) -> WelcomeContent | None:
        """The welcome to send, or None to leave it to the next composer / the default."""


_COMPOSERS: list[WelcomeComposer] = []


def register_welcome_composer(composer: WelcomeComposer) -> WelcomeComposer:
    """Add a composer (idempotent: registering the same object twice keeps one)."""
    if composer not in _COMPOSERS:
        _COMPOSERS.append(composer)
    return composer


def welcome_claimed(corp: Any, state: str) -> bool:
    """Whether any registered composer writes the welcome for this corp and state."""
    return bool(state) and any(c.claims(corp, state) for c in _COMPOSERS)


def _composed(request: WelcomeRequest) -> WelcomeContent | None:
    if not request.state:
        return None
    for composer in _COMPOSERS:
        try:
            if not composer.claims(request.corp, request.state):
                continue
            content = composer.compose(request)
        except Exception as exc:  # noqa: BLE001 - a broken composer falls back to the default
            log.warning(
                "ingest.welcome.composer_failed",
                composer=type(composer).__name__,
                error=type(exc).__name__,
            )
            continue
        if content is not None and (content.text or content.attachments):
            return content
    return None


def _content(request: WelcomeRequest) -> WelcomeContent | None:
    composed = _composed(request)
    if composed is not None:
        return composed
    if request.corp.welcome_message:
        return WelcomeContent(text=request.corp.welcome_message)
    return None


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
    content: WelcomeContent | None = None
    if corp is None:
        delivery.ok, delivery.detail = False, "no welcome message configured"
    elif delivery.attempted_at - event.received_at > WELCOME_CODE_LIFETIME:
        delivery.ok, delivery.detail = False, "welcome code expired before sending"
    else:
        request = WelcomeRequest(
            corp=corp,
            channel_ref=f"wecom:{corp.uid}",
            external_user_id=delivery.external_user_id,
            staff_user_id=delivery.staff_user_id,
            state=str(event.fields.get("State") or ""),
            event_uid=event.uid,
        )
        content = _content(request)
    if delivery.ok is not None:
        pass
    elif corp is None or content is None:
        delivery.ok, delivery.detail = False, "no welcome message configured"
    elif timezone.now() - event.received_at > WELCOME_CODE_LIFETIME:
        delivery.ok, delivery.detail = False, "welcome code expired before sending"
    else:
        try:
            with channel_services.wecom_client(corp) as client:
                client.welcome.send(
                    code, text=content.text or None, attachments=content.attachments
                )
            delivery.ok, delivery.errcode = True, 0
            delivery.detail = f"sent: {content.note}"[:300] if content.note else "sent"
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
