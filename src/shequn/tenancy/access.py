"""Fetching by public id inside the current tenant: missing and forbidden look the same (404)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.http import Http404

from shequn.tenancy.models import TenantScopedModel

M = TypeVar("M", bound=TenantScopedModel)


def access_by_uid(model: type[M], uid: str | uuid.UUID, **filters: Any) -> M:
    """The object with this public id in the current tenant, or Http404.

    Never `Model.objects.get(id=...)` on user input: that is how one tenant reads another's rows.
    """
    try:
        parsed = uid if isinstance(uid, uuid.UUID) else uuid.UUID(str(uid))
    except ValueError as exc:
        raise Http404 from exc
    obj = model.objects.filter(uid=parsed, **filters).first()
    if obj is None:
        raise Http404
    return obj  # type: ignore[no-any-return]
