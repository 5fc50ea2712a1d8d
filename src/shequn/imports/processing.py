"""Running an import: a validation pass over the whole file, then writes in chunks.

The validation pass finds every row error, duplicates included, before anything is written; a
dry run stops there. A real run writes the valid rows in chunks of `CHUNK` (a task per chunk for
large files), through the contacts and privacy services, so merges, tags and consents behave
exactly as when an operator or a callback makes them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.contacts import services as contact_services
from shequn.contacts.models import Contact, Tag
from shequn.imports.models import ImportJob
from shequn.imports.reading import Row, UnreadableFile, read_table
from shequn.imports.validation import (
    ParsedRow,
    RowError,
    RowParser,
    existing_contact_id,
    identity_keys,
)
from shequn.privacy import services as privacy_services

CHUNK = 500
MAX_REPORTED_ERRORS = 1000


def load_rows(job: ImportJob) -> tuple[list[str], list[Row]]:
    with job.file.open("rb") as handle:
        return read_table(handle, job.format)


def validate(job: ImportJob, rows: list[Row], parser: RowParser) -> dict[str, Any]:
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    would_create = would_update = ok = 0
    for header in parser.unknown_targets():
        errors.append(
            RowError(1, header, _("This column is mapped to a field that does not exist."))
        )
    for line, cells in rows:
        parsed = parser.parse(line, cells)
        for key in identity_keys(parsed):
            if key in seen:
                parsed.errors.append(
                    RowError(line, "", _("Duplicate of row %(row)d.") % {"row": seen[key]})
                )
                break
        for key in identity_keys(parsed):
            seen.setdefault(key, line)
        if parsed.errors:
            errors.extend(parsed.errors)
            continue
        ok += 1
        if job.dry_run:
            if existing_contact_id(parsed) is None:
                would_create += 1
            else:
                would_update += 1
    bad_lines = sorted({e.row for e in errors if e.row > 1})
    report: dict[str, Any] = {
        "rows": len(rows),
        "ok": ok,
        "error_rows": len(bad_lines),
        "errors": [e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
        "bad_lines": bad_lines,
        "created": 0,
        "updated": 0,
    }
    if job.dry_run:
        report["would_create"], report["would_update"] = would_create, would_update
    return report


def _tag(name: str) -> Tag:
    found: Tag | None = Tag.objects.filter(name=name).first()
    return found if found is not None else contact_services.create_tag(name)


def apply_row(parsed: ParsedRow) -> bool:
    """Write one valid row; True when a contact was created."""
    existing = existing_contact_id(parsed)
    if existing is not None:
        contact = contact_services.resolve(Contact.objects.get(pk=existing))
    else:
        kind, channel, value = parsed.identities[0]
        contact = contact_services.contact_for_identity(kind, value, channel)
    for kind, channel, value in parsed.identities:
        contact = contact_services.attach_identity(contact, kind, value, channel)
    if parsed.profile:
        contact = contact_services.update_profile(contact, **parsed.profile)
    for key, value in parsed.attributes.items():
        contact_services.set_attribute(contact, key, value)
    for name in parsed.tags:
        contact_services.tag_contacts(_tag(name), [contact], source="import")
    for purpose, granted in parsed.consents.items():
        write = privacy_services.grant if granted else privacy_services.withdraw
        write(contact, purpose, source="import", evidence="import")
    return existing is None


def _row_failed(report: dict[str, Any], line: int, message: str) -> None:
    report["error_rows"] = report.get("error_rows", 0) + 1
    if len(report["errors"]) < MAX_REPORTED_ERRORS:
        report["errors"].append({"row": line, "column": "", "message": message})


def process_chunk(job: ImportJob, start: int) -> int | None:
    """Process rows from `start`; returns the next start, or None when the job is finished."""
    try:
        headers, rows = load_rows(job)
    except (UnreadableFile, OSError) as exc:
        _finish(
            job, ImportJob.State.FAILED, {"errors": [{"row": 0, "column": "", "message": str(exc)}]}
        )
        return None
    parser = RowParser(headers, job.mapping)
    if start == 0:
        job.headers, job.total_rows = headers, len(rows)
        job.report = validate(job, rows, parser)
        job.processed_rows = 0
        if job.dry_run:
            _finish(job, ImportJob.State.DONE, job.report)
            return None
    report = job.report
    bad = set(report.get("bad_lines", []))
    for line, cells in rows[start : start + CHUNK]:
        if line in bad:
            continue
        parsed = parser.parse(line, cells)
        try:
            with transaction.atomic():
                created = apply_row(parsed)
        except (ValueError, TypeError) as exc:
            _row_failed(report, line, str(exc))
            continue
        report["created" if created else "updated"] += 1
    end = min(start + CHUNK, len(rows))
    job.processed_rows, job.report = end, report
    if end >= len(rows):
        _finish(job, ImportJob.State.DONE, report)
        return None
    job.save(update_fields=["processed_rows", "report", "headers", "total_rows"])
    return end


def _finish(job: ImportJob, state: str, report: dict[str, Any]) -> None:
    job.state, job.report, job.finished_at = state, report, timezone.now()
    job.save(
        update_fields=["state", "report", "finished_at", "processed_rows", "headers", "total_rows"]
    )
