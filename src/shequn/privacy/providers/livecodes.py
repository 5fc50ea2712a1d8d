"""livecodes: which live code brought a person, and the welcome they were sent.

Export lists the attributions. Erasure deletes them; the code's and campaign's add counters stay
as anonymous counts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shequn.livecodes.models import Attribution
from shequn.privacy.registry import Subject, register


def _rows(subject: Subject) -> QuerySet[Attribution]:
    return Attribution.objects.filter(
        Q(contact_id__in=subject.contact_ids) | Q(external_userid__in=subject.platform_ids)
    )


def export(subject: Subject) -> dict[str, Any]:
    return {
        "attributions": [
            {
                "campaign": row.campaign.name,
                "code": row.code.state,
                "external_userid": row.external_userid,
                "staff_userid": row.staff_userid,
                "at": row.at,
                "welcome_text": row.welcome_text,
                "invitation_url": row.invitation_url,
            }
            for row in _rows(subject).select_related("campaign", "code").order_by("id")
        ]
    }


def erase(subject: Subject) -> dict[str, int]:
    rows = _rows(subject)
    count = rows.count()
    rows.delete()
    return {"attributions": count}


register("livecodes", export, erase, covers=["livecodes.attribution"], order=50)
