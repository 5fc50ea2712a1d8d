"""Reading contacts (merged-away contacts are hidden: they live on in the one they merged into)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from shequn.contacts.attributes import age_in_months, display_value
from shequn.contacts.models import (
    AttributeDefinition,
    AutoTagRule,
    Contact,
    ContactAttribute,
    ContactEvent,
    ContactMerge,
    ContactTag,
    Follower,
    GroupMembership,
    Identity,
    SyncRun,
    Tag,
    TagMirror,
)

__all__ = [
    "age_in_months",
    "attribute_definitions",
    "attribute_value",
    "attribute_values",
    "auto_tag_rules",
    "contact_ids_by_identity",
    "contacts",
    "contacts_with_age_months_between",
    "contacts_with_tag",
    "filter_contacts",
    "follows_of",
    "group_memberships_of",
    "identities_of",
    "latest_sync_run",
    "merges_of",
    "search_contacts",
    "sync_runs",
    "tag_mirrors",
    "tags_of",
    "tags_with_counts",
    "timeline",
]

CONTACT_SORTS = {
    "name": ("display_name", "nickname", "id"),
    "lifecycle": ("lifecycle_stage", "id"),
    "first_touch": ("first_touch_at", "id"),
    "last_touch": ("last_touch_at", "id"),
    "created": ("created_at", "id"),
}


def contacts() -> QuerySet[Contact]:
    return Contact.objects.filter(merged_into__isnull=True)


def search_contacts(
    q: str = "", tag: Tag | None = None, channel: str = "", lifecycle: str = ""
) -> QuerySet[Contact]:
    """The contact list's filters: name/remark text, a tag, a channel ref or kind, a stage."""
    found = contacts()
    if q.strip():
        text = q.strip()
        found = found.filter(
            Q(display_name__icontains=text)
            | Q(nickname__icontains=text)
            | Q(remark__icontains=text)
        )
    if tag is not None:
        found = found.filter(pk__in=ContactTag.objects.filter(tag=tag).values("contact_id"))
    if channel:
        match = (
            Q(channel_ref=channel) if ":" in channel else Q(channel_ref__startswith=f"{channel}:")
        )
        found = found.filter(pk__in=Identity.objects.filter(match).values("contact_id"))
    if lifecycle:
        found = found.filter(lifecycle_stage=lifecycle)
    return found


def timeline(contact: Contact) -> QuerySet[ContactEvent]:
    return ContactEvent.objects.filter(contact=contact).order_by("-occurred_at", "-id")


def contacts_with_tag(tag: Tag) -> QuerySet[Contact]:
    return contacts().filter(pk__in=ContactTag.objects.filter(tag=tag).values("contact_id"))


def tags_of(contact: Contact) -> QuerySet[Tag]:
    return Tag.objects.filter(members__contact=contact).order_by("name")


def tags_with_counts() -> QuerySet[Tag]:
    """Tags with `member_count` (contacts not merged away)."""
    tags: QuerySet[Tag] = Tag.objects.annotate(
        member_count=Count("members", filter=Q(members__contact__merged_into__isnull=True))
    ).order_by("name")
    return tags


def tag_mirrors(tag: Tag) -> QuerySet[TagMirror]:
    return TagMirror.objects.filter(tag=tag).order_by("channel_ref")


def attribute_definitions() -> QuerySet[AttributeDefinition]:
    return AttributeDefinition.objects.order_by("position", "id")


def attribute_values(
    contact: Contact, today: date | None = None
) -> list[tuple[AttributeDefinition, Any, int | None]]:
    """Every definition with the contact's value (None if unset) and the derived age in months."""
    today = today or timezone.localdate()
    stored = {
        a.definition_id: a
        for a in ContactAttribute.objects.filter(contact=contact).select_related("definition")
    }
    out: list[tuple[AttributeDefinition, Any, int | None]] = []
    for definition in attribute_definitions():
        attribute = stored.get(definition.pk)
        value = display_value(attribute) if attribute else None
        months = (
            age_in_months(value, today)
            if definition.derive_age_months and isinstance(value, date)
            else None
        )
        out.append((definition, value, months))
    return out


def attribute_value(contact: Contact, key: str) -> Any:
    attribute = (
        ContactAttribute.objects.filter(contact=contact, definition__key=key)
        .select_related("definition")
        .first()
    )
    return display_value(attribute) if attribute else None


def _months_before(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    day = today.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def contacts_with_age_months_between(
    key: str, low: int, high: int, today: date | None = None
) -> QuerySet[Contact]:
    """Contacts whose date attribute `key` is between `low` and `high` whole months ago."""
    today = today or timezone.localdate()
    # age >= low  <=>  born on or before today minus low months; age <= high  <=>  born after
    # today minus (high + 1) months.
    latest = _months_before(today, low)
    earliest = _months_before(today, high + 1) + timedelta(days=1)
    rows = ContactAttribute.objects.filter(
        definition__key=key, value_date__lte=latest, value_date__gte=earliest
    )
    return contacts().filter(pk__in=rows.values("contact_id"))


def contact_ids_by_identity(
    kind: str, values: Iterable[str], channel_ref: str = ""
) -> dict[str, int]:
    """value → contact id for identities of one kind (merged contacts resolved by the caller)."""
    rows = Identity.objects.filter(kind=kind, channel_ref=channel_ref, value__in=list(values))
    return dict(rows.values_list("value", "contact_id"))


def merges_of(contact: Contact) -> QuerySet[ContactMerge]:
    return ContactMerge.objects.filter(Q(kept=contact) | Q(merged=contact)).order_by("-merged_at")


def auto_tag_rules() -> QuerySet[AutoTagRule]:
    return AutoTagRule.objects.select_related("tag").order_by("trigger", "value")


def sync_runs() -> QuerySet[SyncRun]:
    return SyncRun.objects.order_by("-started_at", "-id")


def filter_contacts(
    q: str = "",
    *,
    tag: Tag | None = None,
    source_channel: str = "",
    lifecycle: str = "",
    sort: str = "-created",
) -> QuerySet[Contact]:
    """The console's contact list: text over names, remark and every identity value; a tag; the
    first-touch channel ("oa", "wecom" or one channel's ref, as the segments' `source_channel`);
    a lifecycle stage; sorted by one of `CONTACT_SORTS` ("-" first for descending)."""
    found = contacts()
    text = q.strip()
    if text:
        found = found.filter(
            Q(display_name__icontains=text)
            | Q(nickname__icontains=text)
            | Q(remark__icontains=text)
            | Q(pk__in=Identity.objects.filter(value=text).values("contact_id"))
        )
    if tag is not None:
        found = found.filter(pk__in=ContactTag.objects.filter(tag=tag).values("contact_id"))
    if source_channel:
        found = found.filter(
            Q(first_touch_channel=source_channel)
            if ":" in source_channel
            else Q(first_touch_channel__startswith=f"{source_channel}:")
        )
    if lifecycle:
        found = found.filter(lifecycle_stage=lifecycle)
    descending = sort.startswith("-")
    fields = CONTACT_SORTS.get(sort.lstrip("-"), CONTACT_SORTS["created"])
    return found.order_by(*(f"-{f}" if descending else f for f in fields))


def identities_of(contact: Contact) -> QuerySet[Identity]:
    return Identity.objects.filter(contact=contact).order_by("kind", "channel_ref", "value")


def follows_of(contact: Contact) -> QuerySet[Follower]:
    return Follower.objects.filter(contact=contact).select_related("account").order_by("account_id")


def group_memberships_of(contact: Contact) -> QuerySet[GroupMembership]:
    return (
        GroupMembership.objects.filter(contact=contact)
        .select_related("group")
        .order_by(F("left_at").asc(nulls_first=True), "-joined_at")
    )


def latest_sync_run(account_id: int) -> SyncRun | None:
    run: SyncRun | None = (
        SyncRun.objects.filter(account_id=account_id).order_by("-started_at", "-id").first()
    )
    return run
