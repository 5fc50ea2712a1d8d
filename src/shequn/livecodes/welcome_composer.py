"""The routed welcome: for an add event whose `State` is one of our codes, the campaign's text in
the persona's voice with the invitation into the right group (or to the pre-join questionnaire).

Registered with ingest (`livecodes.handlers`); ingest's send task calls `compose` inside WeCom's
20 seconds and sends what it returns with `send_welcome_msg`, falling back to the corp's default
welcome when this returns None or fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.community import services as community
from shequn.contacts.models import Contact
from shequn.core.logging import get_logger
from shequn.ingest.handlers import WelcomeContent, WelcomeRequest
from shequn.livecodes import services
from shequn.livecodes.models import Campaign, LiveCode

log = get_logger(__name__)

PLACEHOLDER = re.compile(r"\{(name|persona|campaign|link)\}")
MAX_TEXT_BYTES = 4000


@dataclass(frozen=True)
class Invite:
    """Where the welcome sends the customer: a join link and/or QR image, and what it is."""

    url: str = ""
    qr_code: str = ""
    title: str = ""
    routed_to: str = ""


def default_template() -> str:
    return _(
        "Hi {name}, this is {persona}. Thank you for adding me! "
        "Join our group for tips and your welcome gift: {link}"
    )


def render(template: str, values: dict[str, str]) -> str:
    """Fill {name}, {persona}, {campaign} and {link}; other braces are left as written."""
    text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)
    while len(text.encode()) > MAX_TEXT_BYTES:
        text = text[:-50]
    return text.strip()


def _persona_name(campaign: Campaign) -> str:
    persona = campaign.persona
    if persona is None:
        return ""
    return persona.display_name or persona.name


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SHEQUN_BASE_URL.rstrip('/')}{path}"


def route(campaign: Campaign, contact: Contact) -> Invite:
    """The campaign's routing: a fixed pool, the first pool whose segment holds the customer, or
    the questionnaire that asks first; the campaign's pool is the fallback of the last two."""
    if campaign.routing == Campaign.Routing.QUESTIONNAIRE:
        path = community.questionnaire_url(contact, campaign.questionnaire)
        if path:
            return Invite(
                url=absolute(path),
                title=_("Two quick questions to find your group"),
                routed_to=_("questionnaire"),
            )
    invitation: community.Invitation | None = None
    if campaign.routing == Campaign.Routing.ATTRIBUTES:
        invitation = community.route(contact)
    if invitation is None and campaign.pool is not None:
        invitation = community.route(contact, pool=campaign.pool)
    if invitation is None:
        return Invite()
    return Invite(
        url=invitation.url,
        qr_code=invitation.qr_code,
        title=invitation.link_text or invitation.pool.name,
        routed_to=invitation.pool.name,
    )


def attachments(invite: Invite) -> tuple[dict[str, Any], ...]:
    """A link card when there is a link (with the QR as its picture), else the QR image."""
    if invite.url:
        link: dict[str, Any] = {
            "title": invite.title[:40] or _("Join the group"),
            "url": invite.url,
        }
        if invite.qr_code:
            link["picurl"] = invite.qr_code
        return ({"msgtype": "link", "link": link},)
    if invite.qr_code:
        return ({"msgtype": "image", "image": {"pic_url": invite.qr_code}},)
    return ()


class LiveCodeWelcome:
    """The welcome composer of live codes (see `ingest.welcome`)."""

    def claims(self, corp: Any, state: str) -> bool:
        return LiveCode.objects.filter(corp=corp, state=state).exists()

    def compose(self, request: WelcomeRequest) -> WelcomeContent | None:
        event = services.AddEvent(
            corp=request.corp,
            channel_ref=request.channel_ref,
            state=request.state,
            external_userid=request.external_user_id,
            staff_userid=request.staff_user_id,
            at=timezone.now(),
            event_uid=request.event_uid,
        )
        attribution = services.record_add(event)  # normally done already by the event handler
        if attribution is None:
            return None
        campaign = attribution.campaign
        contact = attribution.contact
        invite = route(campaign, contact)
        values = {
            "name": contact.display_name or contact.nickname or "",
            "persona": _persona_name(campaign),
            "campaign": campaign.name,
            "link": invite.url,
        }
        template = campaign.welcome_text or default_template()
        text = render(template, values)
        if invite.url and "{link}" not in template:
            text = f"{text}\n{invite.url}" if text else invite.url
        services.note_welcome(attribution, text=text, url=invite.url, routed_to=invite.routed_to)
        note = f"livecode {request.state}" + (f" -> {invite.routed_to}" if invite.routed_to else "")
        return WelcomeContent(text=text, attachments=attachments(invite), note=note)
