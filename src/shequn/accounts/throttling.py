"""Sign-in throttling: after N failures an e-mail (or a client IP) is locked out for a while.

Kept in the database, not the per-process cache, so every web process sees the same count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequn.accounts.models import LoginFailure


def _keys(email: str, ip: str) -> list[str]:
    keys = [f"email:{email.strip().lower()}"]
    if ip:
        keys.append(f"ip:{ip}")
    return keys


def locked_until(email: str, ip: str) -> datetime | None:
    now = timezone.now()
    row = (
        LoginFailure.objects.filter(key__in=_keys(email, ip), locked_until__gt=now)
        .order_by("-locked_until")
        .first()
    )
    return row.locked_until if row else None


@transaction.atomic
def record_failure(email: str, ip: str) -> None:
    now = timezone.now()
    window = timedelta(seconds=settings.SHEQUN_LOGIN_LOCKOUT_SECONDS)
    # An IP may try more addresses than one address may be tried: offices share an IP.
    limits = {
        "email": settings.SHEQUN_LOGIN_MAX_FAILURES,
        "ip": settings.SHEQUN_LOGIN_MAX_FAILURES * 4,
    }
    for key in _keys(email, ip):
        row, _ = LoginFailure.objects.select_for_update().get_or_create(key=key)
        if now - row.first_failed_at > window:
            row.failures = 0
            row.first_failed_at = now
        row.failures += 1
        if row.failures >= limits[key.split(":", 1)[0]]:
            row.locked_until = now + window
        row.save()


def clear_failures(email: str) -> None:
    LoginFailure.objects.filter(key=f"email:{email.strip().lower()}").delete()
