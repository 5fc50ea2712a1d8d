"""personas: which staff accounts a person added, and when.

Export lists the relationships. Erasure keeps each row as an anonymous count of the staff
account's load (its capacity stays honest) without the contact or the external_userid.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shequn.personas.models import StaffCustomer
from shequn.privacy.registry import Subject, register


def _rows(subject: Subject) -> QuerySet[StaffCustomer]:
    return StaffCustomer.objects.filter(
        Q(contact_id__in=subject.contact_ids) | Q(external_userid__in=subject.platform_ids)
    )


def export(subject: Subject) -> dict[str, Any]:
    return {
        "staff": [
            {
                "staff": row.staff.name or row.staff.userid,
                "external_userid": row.external_userid,
                "state": row.state,
                "added_at": row.added_at,
                "removed_at": row.removed_at,
            }
            for row in _rows(subject).select_related("staff").order_by("id")
        ]
    }


def erase(subject: Subject) -> dict[str, int]:
    count = 0
    for row in _rows(subject):
        row.contact, row.external_userid, row.state = None, f"erased:{row.uid}", ""
        row.save(update_fields=["contact", "external_userid", "state"])
        count += 1
    return {"staff_customers_anonymised": count}


register("personas", export, erase, covers=["personas.staffcustomer"], order=50)
