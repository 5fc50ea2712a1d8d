"""community: invitations sent to a person to move on to the next group pool.

Export lists them. Erasure deletes them (group rosters are covered with contacts' memberships).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shequn.community.models import Progression
from shequn.privacy.registry import Subject, register


def _rows(subject: Subject) -> QuerySet[Progression]:
    return Progression.objects.filter(
        Q(contact_id__in=subject.contact_ids) | Q(external_userid__in=subject.platform_ids)
    )


def export(subject: Subject) -> dict[str, Any]:
    return {
        "progressions": [
            {
                "from_pool": row.from_pool.name,
                "to_pool": row.to_pool.name,
                "state": row.state,
                "sent_at": row.sent_at,
            }
            for row in _rows(subject).select_related("from_pool", "to_pool").order_by("id")
        ]
    }


def erase(subject: Subject) -> dict[str, int]:
    rows = _rows(subject)
    count = rows.count()
    rows.delete()
    return {"progressions": count}


register("community", export, erase, covers=["community.progression"], order=50)
