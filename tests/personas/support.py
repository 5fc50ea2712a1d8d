"""Helpers for the personas tests: a corp, staff with customers, events pushed through ingest."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from shequn.channels.models import WeComCorp
from shequn.ingest.models import InboundEvent
from shequn.ingest.tasks import _run
from shequn.personas import services
from shequn.personas.models import Persona, StaffAccount
from tests.channels.factories import WECOM_AES_KEY, WECOM_TOKEN, make_wecom_corp
from tests.conftest import Tenant
from tests.ingest import wire
from tests.ingest.conftest import as_owner

_seq = itertools.count(1)


def corp_of(t: Tenant, **overrides: str) -> WeComCorp:
    with t.scope(), as_owner(t):
        found: WeComCorp | None = WeComCorp.objects.first()
        return found or make_wecom_corp(**overrides)


def staff_with_customers(
    corp: WeComCorp,
    userid: str,
    customers: int,
    *,
    persona: Persona | None = None,
    capacity: int | None = None,
    at: datetime | None = None,
) -> StaffAccount:
    """Inside the tenant scope: an account of the persona with `customers` current customers."""
    staff = services.staff_account(corp, userid)
    services.update_staff(staff, persona=persona, capacity=capacity)
    moment = at or timezone.now() - timedelta(days=30)
    for _ in range(customers):
        services.customer_added(corp, userid, f"wm{userid}{next(_seq):05d}", at=moment)
    return staff


def push_wecom(corp: WeComCorp, xml: str) -> None:
    query, body = wire.wecom_request(WECOM_TOKEN, WECOM_AES_KEY, corp.corpid, xml)
    response = Client().post(
        f"/cb/wecom/{corp.callback_key}/?{query}", data=body, content_type="text/xml"
    )
    assert response.status_code == 200


def process_inbox(t: Tenant) -> None:
    with t.scope():
        for event in InboundEvent.objects.exclude(state="processed").order_by("id"):
            _run(event.pk)
