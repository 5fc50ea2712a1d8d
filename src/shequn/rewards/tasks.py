"""Background work of rewards: send a payout after commit, reconcile every minute.

Pay is called after the task's transaction commits, never inside it (see `rewards.issuing`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shequn.contacts.models import CustomerGroup
from shequn.core.logging import get_logger
from shequn.jobs.schedule import periodic
from shequn.jobs.tasks import RetryLater, background_task, enqueue_on_commit, tenant_task
from shequn.rewards import issuing
from shequn.rewards.models import Payout
from shequn.tenancy.scope import dangerously_no_tenant_scope, require_tenant

log = get_logger(__name__)


@tenant_task("rewards.issue_payout", max_attempts=1)
def issue_payout(payout_id: int) -> None:
    workspace = require_tenant()
    transaction.on_commit(lambda: issuing.issue(workspace, payout_id))


# How long after its creation a group outside every pool may still be adopted into one.
FRESH_GROUP = timedelta(minutes=10)


@tenant_task("rewards.reward_joins", max_attempts=6)
def reward_joins(group_id: int, member_ids: list[str]) -> None:
    """Joins of a group that was in no pool when the event was handled (see handlers)."""
    from shequn.community import queries as community_queries
    from shequn.rewards import services

    group = CustomerGroup.objects.select_related("corp").filter(pk=group_id).first()
    if group is None:
        return
    if community_queries.pool_of_group(group) is None:
        if group.created_at > timezone.now() - FRESH_GROUP:
            raise RetryLater("the group is not in a pool yet", delay=timedelta(seconds=10))
        return
    services.on_group_join(group, member_ids)


@tenant_task("rewards.reconcile_workspace", max_attempts=1)
def reconcile_workspace() -> None:
    workspace = require_tenant()
    transaction.on_commit(lambda: _reconcile(workspace))


def _reconcile(workspace: object) -> None:
    counts = issuing.reconcile(workspace)
    if counts:
        log.info("rewards.reconciled", **counts)


@periodic("rewards.reconcile", every=timedelta(minutes=1))
@background_task("rewards.reconcile")
def reconcile() -> int:
    """Fan out to every workspace with a payout not in a final state."""
    with dangerously_no_tenant_scope():
        tenants = list(
            # unscoped: the reconciler looks for open payouts in every tenant
            Payout.objects.unscoped()
            .filter(state__in=[Payout.State.CREATED, Payout.State.WAITING])
            .order_by()
            .values_list("tenant_id", flat=True)
            .distinct()
        )
    for tenant_id in tenants:
        enqueue_on_commit(reconcile_workspace, tenant_id)
    return len(tenants)
