from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def console(request: HttpRequest) -> dict[str, Any]:
    return {"workspace": getattr(request, "workspace", None), "membership": getattr(request, "membership", None)}
