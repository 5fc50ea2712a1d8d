"""Console → Import and export: upload → mapping (guessed) → dry-run report → run; export form."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequn.console.views.decorators import workspace_view
from shequn.imports import queries, services
from shequn.imports.models import ImportJob
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission


def _allows(request: HttpRequest, permission: Permission) -> bool:
    return bool(request.membership.allows(permission))  # type: ignore[attr-defined]


@workspace_view()
def jobs_page(request: HttpRequest, workspace: str) -> HttpResponse:
    if request.method == "POST":
        if not _allows(request, Permission.OPERATE):
            return render(request, "console/forbidden.html", status=403)
        upload = request.FILES.get("file")
        if upload is None:
            flash.error(request, _("Choose a file to upload."))
            return redirect("console:imports", workspace=workspace)
        try:
            job = services.create_job(upload.name or "upload.csv", upload)
        except services.UnreadableFile as exc:
            flash.error(request, str(exc))
            return redirect("console:imports", workspace=workspace)
        return redirect("console:imports_job", workspace=workspace, uid=job.uid)
    return render(
        request,
        "imports/jobs.html",
        {"jobs": queries.jobs()[:100], "can_operate": _allows(request, Permission.OPERATE)},
    )


@workspace_view()
def job_page(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    job = access_by_uid(ImportJob, str(uid))
    if request.method == "POST":
        if not _allows(request, Permission.OPERATE):
            return render(request, "console/forbidden.html", status=403)
        mapping = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(job.headers)}
        services.set_mapping(job, mapping)
        dry_run = request.POST.get("action") != "run"
        services.run_job(job, dry_run=dry_run)
        if not dry_run:
            flash.success(request, _("Import started."))
        return redirect("console:imports_job", workspace=workspace, uid=job.uid)
    choices = [("", _("— ignore —")), *((t.key, t.label) for t in queries.targets())]
    columns = [(i, h, job.mapping.get(h, "")) for i, h in enumerate(job.headers)]
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "columns": columns,
            "choices": choices,
            "report": job.report or {},
            "can_operate": _allows(request, Permission.OPERATE),
        },
    )


@workspace_view(permission=Permission.EXPORT_DATA)
def export_page(request: HttpRequest, workspace: str) -> HttpResponse:
    available = queries.export_columns()
    if request.method == "POST":
        known = {key for key, _label in available}
        columns = [c for c in request.POST.getlist("columns") if c in known]
        fmt = "xlsx" if request.POST.get("format") == "xlsx" else "csv"
        if columns:
            return services.export_response(columns, fmt, request.POST.get("segment", ""))
        flash.error(request, _("Choose at least one column."))
    return render(
        request,
        "imports/export.html",
        {"available": available, "segments": queries.segments_available()},
    )
