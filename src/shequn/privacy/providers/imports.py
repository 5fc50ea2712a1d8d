"""imports: uploaded files that list the person (reports name rows and columns, never values)."""

from __future__ import annotations

from typing import Any

from shequn.imports.models import ImportJob
from shequn.privacy.registry import Subject, register


def _mentioning(subject: Subject) -> list[ImportJob]:
    needles = [v.encode() for v in (*subject.platform_ids, *subject.names) if v]
    found: list[ImportJob] = []
    for job in ImportJob.objects.exclude(file=""):
        try:
            with job.file.open("rb") as handle:
                content = handle.read()
        except OSError:
            continue
        # xlsx files are zipped: compare on the cells, not the bytes.
        if job.format == ImportJob.Format.XLSX:
            content = _xlsx_text(content)
        if any(n in content for n in needles):
            found.append(job)
    return found


def _xlsx_text(content: bytes) -> bytes:
    import io

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (a broken upload cannot be searched; it is kept)
        return b""
    cells = [
        str(v)
        for sheet in book.worksheets
        for r in sheet.iter_rows(values_only=True)
        for v in r
        if v is not None
    ]
    book.close()
    return "\n".join(cells).encode()


def export(subject: Subject) -> dict[str, Any]:
    return {
        "import_files": [
            {"file": job.original_name, "uploaded_at": job.created_at}
            for job in _mentioning(subject)
        ]
    }


def erase(subject: Subject) -> dict[str, int]:
    jobs = _mentioning(subject)
    for job in jobs:
        job.file.delete(save=False)
        job.file = ""
        job.save(update_fields=["file"])
    return {"import_files": len(jobs)}


register("imports", export, erase, covers=["imports.importjob"], order=70)
