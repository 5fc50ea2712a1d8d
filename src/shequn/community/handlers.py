"""WeCom group events: after a group is created, changes members or is dismissed, community
reads it again (groupchat/get) to keep the roster, adopt groups its join ways created and keep
each pool's join way pointed at groups with room."""

from __future__ import annotations

from shequn.community import tasks
from shequn.contacts import services as contact_services
from shequn.ingest.handlers import HandlerContext, handles
from shequn.jobs.tasks import enqueue_on_commit

WECOM = "wecom"


@handles(WECOM, "event", "change_external_chat", "create")
@handles(WECOM, "event", "change_external_chat", "update")
@handles(WECOM, "event", "change_external_chat", "dismiss")
def on_group_changed(ctx: HandlerContext) -> None:
    group = contact_services.group(ctx.channel, ctx.message.chat_id, ctx.message.created_at)
    enqueue_on_commit(tasks.refresh_group, group.tenant_id, group.pk, ctx.channel_ref)
