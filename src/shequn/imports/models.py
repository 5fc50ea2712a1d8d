"""Contact imports: the uploaded file, its column mapping, and the validation report."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.tenancy.models import TenantScopedModel


class ImportJob(TenantScopedModel):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    # Column header → target ("nickname", "phone", "openid:<account uid>", "attr:<key>", "tags",
    # "consent:<purpose>"); "" or a missing header means the column is ignored.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    headers = models.JSONField(default=list, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # {"ok": n, "created": n, "updated": n, "errors": [{"row", "column", "message"}]}; messages
    # name the problem, never the cell's value (the report outlives erasures).
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "created_at"], name="imports_job_recent")
        ]

    def __str__(self) -> str:
        return self.original_name
