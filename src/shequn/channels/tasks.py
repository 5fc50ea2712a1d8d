"""Periodic channel housekeeping: remind operators before an account's verification lapses."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shequn.audit.services import record
from shequn.channels import queries
from shequn.channels.models import OfficialAccount
from shequn.core.logging import get_logger
from shequn.jobs.schedule import periodic
from shequn.jobs.tasks import background_task
from shequn.tenancy.models import Workspace
from shequn.tenancy.scope import tenant_scope

log = get_logger(__name__)


def remind_lapsing_verifications(workspace: Workspace) -> int:
    """Record one reminder per account and expiry date inside the window; returns how many."""
    reminded = 0
    with tenant_scope(workspace):
        for account in queries.verification_lapsing():
            if account.verification_reminded_for == account.verified_until:
                continue
            OfficialAccount.objects.filter(pk=account.pk).update(
                verification_reminded_for=account.verified_until
            )
            record(
                "channels.official_account.verification_lapsing",
                target=account,
                data={
                    "verified_until": account.verified_until.isoformat()
                    if account.verified_until
                    else ""
                },
            )
            log.info("channels.verification.reminder", channel=str(account.uid))
            reminded += 1
    return reminded


@periodic("channels.verification_reminders", every=timedelta(hours=6))
@background_task("channels.verification_reminders")
def verification_reminders() -> int:
    """Fan out over workspaces (each in its own scope)."""
    total = 0
    for workspace in Workspace.objects.filter(archived_at__isnull=True):
        total += remind_lapsing_verifications(workspace)
    return total


__all__ = ["remind_lapsing_verifications", "timezone", "verification_reminders"]
