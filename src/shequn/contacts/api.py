"""/api/v1/contacts: a minimal read of the contacts core."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.contacts import queries
from shequn.contacts.models import Contact
from shequn.tenancy.access import access_by_uid

router = Router(tags=["contacts"])


class ContactOut(Schema):
    uid: UUID
    display_name: str
    lifecycle_stage: str
    first_touch_channel: str
    first_touch_scene: str
    first_touch_at: datetime | None
    last_touch_channel: str
    last_touch_scene: str
    last_touch_at: datetime | None
    created_at: datetime


class ContactDetailOut(ContactOut):
    identities: list[dict[str, str]]
    timeline: list[dict[str, Any]]


def _fields(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in ContactOut.model_fields}


@router.get("/contacts", response=page_schema(ContactOut), summary="Contacts")
def list_contacts(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        queries.contacts(),
        page,
        order_by="-created_at",
        serialize=lambda c: ContactOut(**_fields(c)),
    )


@router.get("/contacts/{uid}", response=ContactDetailOut, summary="One contact")
def get_contact(request: HttpRequest, uid: str) -> ContactDetailOut:
    contact = access_by_uid(Contact, uid, merged_into__isnull=True)
    return ContactDetailOut(
        **_fields(contact),
        identities=[{"kind": i.kind, "channel": i.channel_ref} for i in contact.identities.all()],
        timeline=[
            {
                "kind": e.kind,
                "channel": e.channel_ref,
                "occurred_at": e.occurred_at.isoformat(),
                "data": e.data,
            }
            for e in queries.timeline(contact)[:100]
        ],
    )
