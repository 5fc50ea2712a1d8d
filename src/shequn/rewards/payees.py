"""Who gets paid: a contact's unionid (one person across accounts) and openid under an appid.

Pay transfers to an openid under the appid the campaign pays under: the openid of the official
account with that appid. A customer met in WeCom has no such openid until their WeCom profile
(externalcontact/get, unionid) and their follow of the account are known to be one person:
`fetch_unionid` asks WeCom, `contacts.services.attach_unionid` then merges the two contacts.
"""

from __future__ import annotations

import hashlib

from shequn.channels import queries as channel_queries
from shequn.channels import services as channel_services
from shequn.channels.models import WeComCorp
from shequn.contacts.models import Contact, Identity
from shequn.core.logging import get_logger
from shequn.wechat.exceptions import WeChatError

log = get_logger(__name__)


def unionid_of(contact: Contact) -> str:
    found = (
        Identity.objects.filter(contact=contact, kind=Identity.Kind.UNIONID)
        .values_list("value", flat=True)
        .first()
    )
    return found or ""


def openid_under(contact: Contact, appid: str) -> str:
    """The contact's openid under `appid` (an official account of this workspace), or ""."""
    refs = [f"oa:{a.uid}" for a in channel_queries.official_accounts().filter(appid=appid)]
    if not refs:
        return ""
    found = (
        Identity.objects.filter(contact=contact, kind=Identity.Kind.OA_OPENID, channel_ref__in=refs)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )
    return found or ""


def person_key(contact: Contact, unionid: str) -> str:
    """One person for caps: the unionid when known, else the contact."""
    return f"u:{unionid}" if unionid else f"c:{contact.uid}"


def bill_number(tenant_id: int, campaign_uid: object, person: str, sequence: int) -> str:
    """The out_bill_no of a person's n-th reward of a campaign: the same inputs, the same number,
    so that whoever retries sends the bill Pay already has (32 ASCII letters and digits)."""
    digest = hashlib.sha256(f"{tenant_id}:{campaign_uid}:{person}:{sequence}".encode()).hexdigest()
    return f"SQ{digest[:30]}"


def fetch_unionid(corp: WeComCorp, external_userid: str) -> str:
    """The unionid WeCom shows for a customer (only with an open-platform binding), or ""."""
    try:
        with channel_services.wecom_client(corp) as client:
            detail = client.customers.get(external_userid)
    except (WeChatError, OSError) as exc:
        log.warning("rewards.payee.unionid_lookup_failed", error=str(exc)[:200])
        return ""
    contact = detail.get("external_contact") or {}
    return str(contact.get("unionid") or "")
