"""Writes of the imports app: upload a file, set its mapping, run it (dry or for real)."""

from __future__ import annotations

import io
from typing import IO

from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.core.actors import current_actor
from shequn.imports.columns import guess_mapping, targets
from shequn.imports.exporting import export_csv, export_xlsx
from shequn.imports.models import ImportJob
from shequn.imports.processing import process_chunk
from shequn.imports.reading import UnreadableFile, read_table
from shequn.jobs.tasks import enqueue_on_commit

INLINE_ROWS = 1000
MAX_BYTES = 20 * 1024 * 1024

__all__ = [
    "INLINE_ROWS",
    "UnreadableFile",
    "create_job",
    "export_csv",
    "export_response",
    "export_xlsx",
    "run_job",
    "set_mapping",
]


def format_of(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return ImportJob.Format.XLSX
    if lowered.endswith((".csv", ".txt")):
        return ImportJob.Format.CSV
    raise UnreadableFile(_("Upload a .csv or .xlsx file."))


def create_job(name: str, content: IO[bytes], mapping: dict[str, str] | None = None) -> ImportJob:
    """Store the upload and read its header; the mapping is guessed unless given."""
    fmt = format_of(name)
    data = content.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_("The file is larger than 20 MB."))
    headers, rows = read_table(io.BytesIO(data), fmt)
    job = ImportJob(
        original_name=name[-200:],
        format=fmt,
        headers=headers,
        total_rows=len(rows),
        mapping=mapping if mapping is not None else guess_mapping(headers, targets()),
        created_by_id=current_actor().user_id,
    )
    job.file.save(f"{job.uid}.{fmt}", ContentFile(data), save=False)
    job.save()
    record("imports.job.created", target=job, data={"format": fmt, "rows": len(rows)})
    return job


def set_mapping(job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    job.mapping = {h: t for h, t in mapping.items() if h in job.headers and t}
    job.save(update_fields=["mapping"])
    return job


def run_job(job: ImportJob, *, dry_run: bool) -> ImportJob:
    """Validate (and for a real run, write); small files at once, large ones in the worker."""
    from shequn.imports.tasks import run_import_chunk

    if job.state == ImportJob.State.RUNNING:
        return job
    job.dry_run, job.state, job.report, job.finished_at = dry_run, ImportJob.State.RUNNING, {}, None
    job.save(update_fields=["dry_run", "state", "report", "finished_at"])
    record("imports.job.started", target=job, data={"dry_run": dry_run})
    if job.total_rows <= INLINE_ROWS:
        start: int | None = 0
        while start is not None:
            start = process_chunk(job, start)
    else:
        enqueue_on_commit(run_import_chunk, job.tenant_id, job.pk, 0)
    return job


def export_response(columns: list[str], fmt: str, segment_uid: str = "") -> HttpResponse:
    """The export as a download (audited: who took which columns of how many contacts)."""
    if fmt == "xlsx":
        body = export_xlsx(columns, segment_uid)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = export_csv(columns, segment_uid), "text/csv; charset=utf-8"
    record("imports.contacts.exported", data={"columns": columns, "format": fmt})
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="contacts.{fmt}"'
    return response
