"""Reading connected channels."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shequn.channels.models import OfficialAccount, PayMerchant, WeComCorp

MODELS: dict[str, Any] = {"oa": OfficialAccount, "wecom": WeComCorp, "pay": PayMerchant}
VERIFICATION_REMINDER_DAYS = 30


def channel_by_callback_key(kind: str, key: uuid.UUID) -> Any | None:
    """The connected channel behind a callback URL, in whichever tenant owns it."""
    model = MODELS.get(kind)
    if model is None:
        return None
    # unscoped: the callback URL carries no tenant; its random key is what identifies the channel
    return model.objects.unscoped().filter(callback_key=key, disconnected_at__isnull=True).first()


def channel_for_event(kind: str, channel_id: int) -> Any | None:
    """The (connected) channel an inbox row came from, in the current tenant."""
    model = MODELS.get(kind)
    if model is None:
        return None
    return model.objects.filter(pk=channel_id, disconnected_at__isnull=True).first()


def official_accounts() -> QuerySet[OfficialAccount]:
    return OfficialAccount.objects.filter(disconnected_at__isnull=True).order_by("name")


def wecom_corps() -> QuerySet[WeComCorp]:
    return WeComCorp.objects.filter(disconnected_at__isnull=True).order_by("name")


def pay_merchants() -> QuerySet[PayMerchant]:
    return PayMerchant.objects.filter(disconnected_at__isnull=True).order_by("name")


def all_channels() -> list[Any]:
    return [*official_accounts(), *wecom_corps(), *pay_merchants()]


def channel_by_uid(uid: str | uuid.UUID) -> Any | None:
    """A connected channel of any kind with this public id, in the current tenant."""
    try:
        parsed = uid if isinstance(uid, uuid.UUID) else uuid.UUID(str(uid))
    except ValueError:
        return None
    for model in MODELS.values():
        found = model.objects.filter(uid=parsed, disconnected_at__isnull=True).first()
        if found is not None:
            return found
    return None


def verification_lapsing(today: date | None = None) -> QuerySet[OfficialAccount]:
    """Accounts whose WeChat verification ends within the reminder window (or has ended)."""
    today = today or timezone.localdate()
    return official_accounts().filter(
        verified_until__isnull=False,
        verified_until__lte=today + timedelta(days=VERIFICATION_REMINDER_DAYS),
    )
