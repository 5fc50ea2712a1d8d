"""Factories for the tenant-isolation walk: an import job (its file name must never reach B)."""

from __future__ import annotations

import io
from typing import Any

from shequn.imports import services


def factories(built_type: Any) -> dict[str, Any]:
    def job(t: Any) -> Any:
        created = services.create_job(
            "sakura-import-marker.csv", io.BytesIO(b"phone,nickname\n13911112222,Walker\n")
        )
        services.run_job(created, dry_run=True)
        return built_type(created, ["sakura-import-marker"])

    return {"imports.importjob": job}
