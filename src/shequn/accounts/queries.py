"""Reads on invitations and API tokens in the current workspace."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from shequn.accounts.models import ApiToken, Invitation


def pending_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("created_by").order_by("revoked_at", "-created_at")
