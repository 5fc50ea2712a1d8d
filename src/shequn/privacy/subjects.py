"""Gathering one person: the contact, the contacts merged into it, their identities and names."""

from __future__ import annotations

from shequn.contacts.models import Contact, GroupMembership, Identity
from shequn.privacy.registry import Subject


def _merged_into(contact: Contact) -> list[Contact]:
    # Merged-away contacts keep their own profile rows: they are the same person.
    found: list[Contact] = [contact]
    frontier = [contact.pk]
    for _depth in range(10):
        if not frontier:
            break
        more = list(Contact.objects.filter(merged_into_id__in=frontier))
        found.extend(more)
        frontier = [c.pk for c in more]
    return found


def subject_of(contact: Contact) -> Subject:
    contacts = _merged_into(contact)
    ids = tuple(c.pk for c in contacts)
    identities = tuple(
        (i.kind, i.channel_ref, i.value)
        for i in Identity.objects.filter(contact_id__in=ids).order_by("id")
    )
    names = {
        text.strip()
        for c in contacts
        for text in (c.display_name, c.nickname, c.remark)
        if text and len(text.strip()) >= 2
    }
    member_ids = set(
        GroupMembership.objects.filter(contact_id__in=ids).values_list("member_id", flat=True)
    )
    return Subject(
        contact=contact,
        contact_ids=ids,
        contact_uids=tuple(str(c.uid) for c in contacts),
        identities=identities,
        names=tuple(sorted(names)),
        extra_ids=tuple(sorted(member_ids)),
    )
