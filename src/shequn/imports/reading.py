"""Reading an uploaded CSV or XLSX file as a header row and rows of strings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext as _

MAX_ROWS = 200_000


class UnreadableFile(ValueError):
    pass


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(raw: bytes) -> str:
    # Excel on Chinese Windows saves CSV in GB18030; everything else is UTF-8 (maybe with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file is neither UTF-8 nor GB18030 text."))


def _csv_rows(handle: IO[bytes]) -> Iterator[list[str]]:
    text = _decode(handle.read())
    for row in csv.reader(io.StringIO(text)):
        yield [cell.strip() for cell in row]


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(_("The file is not a readable Excel workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        workbook.close()


Row = tuple[int, list[str]]


def read_table(handle: IO[bytes], fmt: str) -> tuple[list[str], list[Row]]:
    """(headers, rows); each row is (its line number in the file, cells padded to the headers).

    Empty rows are skipped but keep the numbering, so the report points at the right line.
    """
    rows_iter = _xlsx_rows(handle) if fmt == "xlsx" else _csv_rows(handle)
    headers: list[str] = []
    rows: list[Row] = []
    for line, row in enumerate(rows_iter, start=1):
        if not headers:
            headers = [h.strip() for h in row]
            while headers and not headers[-1]:
                headers.pop()
            if not headers:
                continue
            continue
        if not any(row):
            continue
        rows.append((line, (row + [""] * len(headers))[: len(headers)]))
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
    if not headers:
        raise UnreadableFile(_("The file has no header row."))
    return headers, rows
