"""Rewards' inbox handlers: a real group join creates the payouts owed; Pay's transfer
notifications settle them. Both are idempotent (events are retried, duplicated and replayed)."""

from __future__ import annotations

from shequn.community import queries as community_queries
from shequn.contacts import services as contact_services
from shequn.ingest.handlers import HandlerContext, handles
from shequn.jobs.tasks import enqueue_on_commit
from shequn.rewards import services, tasks

EVENT_BILL_FINISHED = "MCHTRANSFER.BILL.FINISHED"


@handles("wecom", "event", "change_external_chat", "update")
def on_group_updated(ctx: HandlerContext) -> None:
    m = ctx.message
    if m.update_detail != "add_member" or not m.mem_change_list:
        return
    group = contact_services.group(ctx.channel, m.chat_id, m.created_at)
    if community_queries.pool_of_group(group) is not None:
        services.on_group_join(group, list(m.mem_change_list))
        return
    # A group a join way has just created is adopted into its pool by community's refresh, which
    # runs after this event: look again then.
    enqueue_on_commit(tasks.reward_joins, group.tenant_id, group.pk, list(m.mem_change_list))


@handles("pay", EVENT_BILL_FINISHED)
def on_transfer_finished(ctx: HandlerContext) -> None:
    resource = ctx.message.get("resource")
    if isinstance(resource, dict):
        services.settle_notification(ctx.channel, resource)
