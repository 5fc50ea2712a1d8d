"""/api/v1: contact imports (upload with mapping, dry run, report) and contact exports."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.imports import queries, services
from shequn.imports.models import ImportJob
from shequn.tenancy.access import access_by_uid

router = Router(tags=["imports"])


class JobOut(Schema):
    uid: UUID
    original_name: str
    format: str
    state: str
    dry_run: bool
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    processed_rows: int
    report: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


class RunIn(Schema):
    dry_run: bool = True
    mapping: dict[str, str] | None = None


class ExportIn(Schema):
    columns: list[str]
    format: Literal["csv", "xlsx"] = "csv"
    segment: UUID | None = None


def _job(job: ImportJob) -> JobOut:
    report = {k: v for k, v in (job.report or {}).items() if k != "bad_lines"}
    return JobOut(
        **{n: getattr(job, n) for n in JobOut.model_fields if n != "report"}, report=report
    )


def _mapping(raw: str) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
    ):
        raise ApiError(422, "invalid_mapping", _("mapping must be a JSON object of strings."))
    return parsed


@router.get("/imports", response=page_schema(JobOut), summary="Contact imports")
def list_imports(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(queries.jobs(), page, order_by="-created_at", serialize=_job)


@router.post("/imports", response={201: JobOut}, summary="Upload a CSV or XLSX file and run it")
def create_import(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    dry_run: Form[bool] = True,
) -> tuple[int, JobOut]:
    try:
        job = services.create_job(file.name or "upload.csv", file, _mapping(mapping))
    except services.UnreadableFile as exc:
        raise ApiError(422, "unreadable_file", str(exc)) from exc
    services.run_job(job, dry_run=dry_run)
    job.refresh_from_db()
    return 201, _job(job)


@router.get("/imports/{uid}", response=JobOut, summary="One import and its report")
def get_import(request: HttpRequest, uid: str) -> JobOut:
    return _job(access_by_uid(ImportJob, uid))


@router.post("/imports/{uid}/run", response=JobOut, summary="Run an import again (dry or real)")
def run_import(request: HttpRequest, uid: str, payload: Body[RunIn | None] = None) -> JobOut:
    job = access_by_uid(ImportJob, uid)
    payload = payload or RunIn()
    if payload.mapping is not None:
        services.set_mapping(job, payload.mapping)
    services.run_job(job, dry_run=payload.dry_run)
    job.refresh_from_db()
    return _job(job)


@router.post("/exports/contacts", summary="Export contacts as CSV or XLSX")
def export_contacts(request: HttpRequest, payload: ExportIn) -> HttpResponse:
    known = {key for key, _label in queries.export_columns()}
    unknown = [c for c in payload.columns if c not in known]
    if unknown or not payload.columns:
        raise ApiError(422, "unknown_columns", _("Unknown export columns."), {"columns": unknown})
    return services.export_response(
        payload.columns, payload.format, str(payload.segment) if payload.segment else ""
    )
