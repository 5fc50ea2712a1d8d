"""Reading contacts (merged-away contacts are hidden: they live on in the one they merged into)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
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
    "merges_of",
    "search_contacts",
    "sync_runs",
    "tag_mirrors",
    "tags_of",
    "tags_with_counts",
    "timeline",
]


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
