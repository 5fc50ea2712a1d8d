"""Cursor pagination for every API list: `?limit=&cursor=` → {"items": [...], "next_cursor": ...}.

Keyset pagination over (ordering field, uid): stable while rows are added, no OFFSET scans, and
the cursor carries only public values. It is signed, so a client can pass it back but not forge
or edit it; clients must treat it as opaque.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import create_model

from shequn.api.errors import ApiError

M = TypeVar("M", bound=Model)
T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "shequn.api.cursor"


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1-200).")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")


def page_schema(item: type[Schema]) -> type[Schema]:
    """The response schema of a paginated list of `item` (named for the OpenAPI document)."""
    name = f"{item.__name__.removesuffix('Out')}Page"
    page: type[Schema] = create_model(
        name,
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, None),
    )
    return page


def _encode(field: str, value: Any, uid: Any) -> str:
    return signing.dumps({"f": field, "v": value, "u": str(uid)}, salt=_SALT, compress=True)


def _decode(cursor: str, field: str) -> tuple[Any, str]:
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature as exc:
        raise _invalid_cursor() from exc
    if not isinstance(data, dict) or data.get("f") != field:
        raise _invalid_cursor()
    return data.get("v"), str(data.get("u"))


def _invalid_cursor() -> ApiError:
    return ApiError(
        422,
        "validation_error",
        _("The cursor is not valid; start again without one."),
        {
            "fields": [
                {
                    "location": "query",
                    "field": "cursor",
                    "message": "invalid cursor",
                    "type": "invalid_cursor",
                }
            ]
        },
    )


def _to_json(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    json.dumps(value)  # fail loudly on an ordering field the cursor cannot carry
    return value


def paginate(
    queryset: QuerySet[M],
    params: PageParams,
    *,
    order_by: str = "-created_at",
    serialize: Callable[[M], T] | None = None,
) -> dict[str, Any]:
    """One page of `queryset` ordered by `order_by` then uid (same direction), as a response dict.

    `order_by` is one concrete model field, optionally with "-"; the model must have `uid`.
    """
    descending = order_by.startswith("-")
    field = order_by.lstrip("-")
    model_field = queryset.model._meta.get_field(field)
    ordered = queryset.order_by(order_by, f"{'-' if descending else ''}uid")
    if params.cursor:
        raw_value, uid = _decode(params.cursor, field)
        try:
            value = model_field.to_python(raw_value)  # type: ignore[union-attr]
        except (ValueError, TypeError, ValidationError) as exc:
            raise _invalid_cursor() from exc
        op = "lt" if descending else "gt"
        ordered = ordered.filter(
            Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"uid__{op}": uid})
        )
    rows: Sequence[M] = list(ordered[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode(field, _to_json(getattr(last, field)), last.uid)  # type: ignore[attr-defined]
    items: list[Any] = [serialize(row) for row in rows] if serialize else list(rows)
    return {"items": items, "next_cursor": next_cursor}
