"""contacts: profile, identities, attributes, tags, timeline, follows, groups, merges."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shequn.contacts.models import (
    Contact,
    ContactAttribute,
    ContactEvent,
    ContactMerge,
    ContactTag,
    Follower,
    GroupMembership,
    Identity,
    SyncRun,
)
from shequn.privacy.registry import Subject, register

PROFILE = (
    "display_name",
    "nickname",
    "remark",
    "avatar_url",
    "gender",
    "language",
    "region",
    "lifecycle_stage",
    "first_touch_channel",
    "first_touch_scene",
    "first_touch_at",
    "last_touch_channel",
    "last_touch_scene",
    "last_touch_at",
    "followed_at",
    "follow_scene",
    "last_latitude",
    "last_longitude",
    "last_location_at",
    "created_at",
)


def _memberships(subject: Subject) -> Q:
    return Q(contact_id__in=subject.contact_ids) | Q(member_id__in=subject.platform_ids)


def export(subject: Subject) -> dict[str, Any]:
    ids = subject.contact_ids
    contacts = Contact.objects.filter(pk__in=ids).order_by("id")
    attributes = ContactAttribute.objects.filter(contact_id__in=ids).select_related("definition")
    return {
        "profiles": [
            {"uid": str(c.uid), **{name: getattr(c, name) for name in PROFILE}} for c in contacts
        ],
        "identities": [
            {"kind": kind, "channel": channel, "value": value}
            for kind, channel, value in subject.identities
        ],
        "attributes": [
            {
                "key": a.definition.key,
                "label": a.definition.label,
                "value": a.value_text or a.value_choice or a.value_date or a.value_number,
            }
            for a in attributes
        ],
        "tags": sorted(
            ContactTag.objects.filter(contact_id__in=ids).values_list("tag__name", flat=True)
        ),
        "timeline": [
            {"kind": e.kind, "channel": e.channel_ref, "occurred_at": e.occurred_at, "data": e.data}
            for e in ContactEvent.objects.filter(contact_id__in=ids).order_by("occurred_at")
        ],
        "follows": [
            {
                "openid": f.openid,
                "subscribed": f.subscribed,
                "subscribed_at": f.subscribed_at,
                "unsubscribed_at": f.unsubscribed_at,
                "scene": f.scene,
            }
            for f in Follower.objects.filter(contact_id__in=ids).order_by("id")
        ],
        "group_memberships": [
            {
                "group": m.group.name or m.group.chat_id,
                "member_id": m.member_id,
                "joined_at": m.joined_at,
                "left_at": m.left_at,
            }
            for m in GroupMembership.objects.filter(_memberships(subject)).select_related("group")
        ],
    }


def erase(subject: Subject) -> dict[str, int]:
    ids = subject.contact_ids
    counts = {
        "timeline_events": ContactEvent.objects.filter(contact_id__in=ids).count(),
        "tags": ContactTag.objects.filter(contact_id__in=ids).count(),
        "attributes": ContactAttribute.objects.filter(contact_id__in=ids).count(),
        "follows": Follower.objects.filter(contact_id__in=ids).count(),
        "group_memberships": GroupMembership.objects.filter(_memberships(subject)).delete()[0],
    }
    wanted = set(subject.platform_ids)
    for run in SyncRun.objects.filter(page_openids__isnull=False):
        kept = [o for o in run.page_openids or [] if o not in wanted]
        if len(kept) != len(run.page_openids or []):
            run.page_openids = kept
            run.save(update_fields=["page_openids"])
    if wanted:
        SyncRun.objects.filter(next_openid__in=wanted).update(next_openid="")
        SyncRun.objects.filter(page_cursor__in=wanted).update(page_cursor="")
    # Merge records hold profile snapshots; identities and the rest cascade with the contacts.
    ContactMerge.objects.filter(Q(kept_id__in=ids) | Q(merged_id__in=ids)).delete()
    Identity.objects.filter(contact_id__in=ids).delete()
    Contact.objects.filter(pk__in=ids).update(merged_into=None)
    Contact.objects.filter(pk__in=ids).delete()
    return counts


register(
    "contacts",
    export,
    erase,
    covers=[
        "contacts.contact",
        "contacts.identity",
        "contacts.contactmerge",
        "contacts.contactevent",
        "contacts.follower",
        "contacts.groupmembership",
        "contacts.contacttag",
        "contacts.contactattribute",
        "contacts.syncrun",
    ],
    order=1000,
)
