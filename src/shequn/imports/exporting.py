"""Contacts to CSV or XLSX with chosen columns; the same column keys the import understands."""

from __future__ import annotations

import csv
import importlib
import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from shequn.contacts import queries as contact_queries
from shequn.contacts.models import Contact, ContactAttribute, ContactTag, Identity
from shequn.imports.columns import targets
from shequn.privacy import queries as privacy_queries
from shequn.tenancy.access import access_by_uid

BATCH = 1000


def export_columns() -> list[tuple[str, str]]:
    return [("uid", "uid"), *((t.key, t.label) for t in targets())]


def segments_available() -> bool:
    return apps.is_installed("shequn.segments")


def contacts_for_export(segment_uid: str = "") -> QuerySet[Contact]:
    """All contacts, or a segment's members when the segments app is installed."""
    found = contact_queries.contacts()
    if segment_uid and segments_available():
        # Looked up by name: the segments app is optional in this build.
        segment_model = apps.get_model("segments", "Segment")
        segment = access_by_uid(segment_model, segment_uid)
        segment_queries: Any = importlib.import_module("shequn.segments.queries")
        found = found.filter(pk__in=segment_queries.member_ids(segment))
    return found.order_by("id")


def _identity_column(kind: str, channel: str) -> str:
    if kind == Identity.Kind.OA_OPENID and channel.startswith("oa:"):
        return f"openid:{channel[3:]}"
    if kind == Identity.Kind.WECOM_EXTERNAL_USERID and channel.startswith("wecom:"):
        return f"external_userid:{channel[6:]}"
    return kind


def _rows(contacts: Iterable[Contact], columns: list[str]) -> Iterable[list[str]]:
    batch: list[Contact] = []
    for contact in contacts:
        batch.append(contact)
        if len(batch) >= BATCH:
            yield from _batch_rows(batch, columns)
            batch = []
    if batch:
        yield from _batch_rows(batch, columns)


def _batch_rows(batch: list[Contact], columns: list[str]) -> Iterable[list[str]]:
    ids = [c.pk for c in batch]
    values: dict[int, dict[str, str]] = defaultdict(dict)
    for contact_id, kind, channel, value in Identity.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "kind", "channel_ref", "value"
    ):
        values[contact_id].setdefault(_identity_column(kind, channel), value)
    tags: dict[int, list[str]] = defaultdict(list)
    for contact_id, name in ContactTag.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "tag__name"
    ):
        tags[contact_id].append(name)
    for attribute in ContactAttribute.objects.filter(contact_id__in=ids).select_related(
        "definition"
    ):
        value = (
            attribute.value_text
            or attribute.value_choice
            or (attribute.value_date.isoformat() if attribute.value_date else "")
            or (
                f"{attribute.value_number.normalize():f}"
                if attribute.value_number is not None
                else ""
            )
        )
        values[attribute.contact_id][f"attr:{attribute.definition.key}"] = value
    wants_consent = any(c.startswith("consent:") for c in columns)
    for contact in batch:
        row_values = values[contact.pk]
        row_values["uid"] = str(contact.uid)
        row_values["tags"] = ", ".join(sorted(tags[contact.pk]))
        for name in ("display_name", "nickname", "remark", "gender", "region", "language"):
            row_values[name] = getattr(contact, name)
        if wants_consent:
            for purpose, record in privacy_queries.current_consents(contact).items():
                row_values[f"consent:{purpose}"] = (
                    "" if record is None else ("yes" if record.granted else "no")
                )
        yield [row_values.get(column, "") for column in columns]


def export_csv(columns: list[str], segment_uid: str = "") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(_rows(contacts_for_export(segment_uid), columns))
    # A BOM so that Excel opens the UTF-8 file with Chinese and Japanese intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(columns: list[str], segment_uid: str = "") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("contacts")
    sheet.append(columns)
    for row in _rows(contacts_for_export(segment_uid), columns):
        # A text starting with "=" would be written as a formula.
        sheet.append([f"'{v}" if v.startswith("=") else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
