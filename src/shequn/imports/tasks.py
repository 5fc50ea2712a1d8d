"""Large imports run in the worker, one chunk per task, each chunk in its own transaction."""

from __future__ import annotations

from shequn.imports.models import ImportJob
from shequn.imports.processing import process_chunk
from shequn.jobs.tasks import enqueue_on_commit, tenant_task


@tenant_task("imports.process_chunk")
def run_import_chunk(job_id: int, start: int) -> None:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.state != ImportJob.State.RUNNING:
        return
    following = process_chunk(job, start)
    if following is not None:
        enqueue_on_commit(run_import_chunk, job.tenant_id, job.pk, following)
