"""Parsing one row against the mapping: typed values, or errors naming the row and the column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from shequn.channels.models import OfficialAccount, WeComCorp
from shequn.contacts import queries as contact_queries
from shequn.contacts.models import AttributeDefinition, Identity
from shequn.privacy.models import Purpose

GENDERS: dict[str, str] = {
    "male": "male",
    "m": "male",
    "1": "male",
    "男": "male",
    "男性": "male",
    "female": "female",
    "f": "female",
    "2": "female",
    "女": "female",
    "女性": "female",
    "unknown": "unknown",
    "0": "unknown",
}
YES = {"yes", "y", "true", "1", "granted", "是", "同意", "はい"}
NO = {"no", "n", "false", "0", "withdrawn", "否", "不同意", "いいえ"}
_PHONE = re.compile(r"^\+?\d{6,15}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
TEXT_LIMITS = {"display_name": 200, "nickname": 200, "remark": 200, "region": 200, "language": 20}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    line: int
    profile: dict[str, str] = field(default_factory=dict)
    identities: list[tuple[str, str, str]] = field(default_factory=list)  # kind, channel, value
    attributes: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    consents: dict[str, bool] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def normalise_phone(value: str) -> str | None:
    digits = re.sub(r"[\s\-()]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _PHONE.match(digits):
        return None
    if len(digits) == 11 and not digits.startswith("+") and not digits.startswith("1"):
        return None
    return digits


def parse_date(value: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007  (a calendar date)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


class RowParser:
    """Parses rows for one job; loads the workspace's accounts and definitions once."""

    def __init__(self, headers: list[str], mapping: dict[str, str]) -> None:
        self.columns = [(i, h, mapping.get(h, "")) for i, h in enumerate(headers)]
        self.columns = [(i, h, t) for i, h, t in self.columns if t]
        self.accounts = {str(a.uid): f"oa:{a.uid}" for a in OfficialAccount.objects.all()}
        self.corps = {str(c.uid): f"wecom:{c.uid}" for c in WeComCorp.objects.all()}
        self.definitions: dict[str, AttributeDefinition] = {
            d.key: d for d in contact_queries.attribute_definitions()
        }

    def unknown_targets(self) -> list[str]:
        return [h for _, h, t in self.columns if not self._known(t)]

    def _known(self, target: str) -> bool:
        kind, _sep, rest = target.partition(":")
        if target in TEXT_LIMITS or target in {"gender", "phone", "unionid", "tags"}:
            return True
        return (
            (kind == "openid" and rest in self.accounts)
            or (kind == "external_userid" and rest in self.corps)
            or (kind == "attr" and rest in self.definitions)
            or (kind == "consent" and rest in Purpose.values)
        )

    def parse(self, line: int, cells: list[str]) -> ParsedRow:
        row = ParsedRow(line=line)
        for index, header, target in self.columns:
            value = cells[index].strip() if index < len(cells) else ""
            if value:
                self._parse_cell(row, header, target, value)
        if not row.identities and not row.errors:
            row.errors.append(
                RowError(
                    line,
                    "",
                    _("The row has no identifier (phone, UnionID, OpenID or external user ID)."),
                )
            )
        return row

    def _parse_cell(self, row: ParsedRow, header: str, target: str, value: str) -> None:
        def error(message: str) -> None:
            row.errors.append(RowError(row.line, header, message))

        kind, _sep, rest = target.partition(":")
        if target in TEXT_LIMITS:
            if len(value) > TEXT_LIMITS[target]:
                error(_("Longer than %(n)d characters.") % {"n": TEXT_LIMITS[target]})
            else:
                row.profile[target] = value
        elif target == "gender":
            gender = GENDERS.get(value.lower())
            if gender is None:
                error(_("Unknown choice: use male, female or unknown."))
            else:
                row.profile["gender"] = gender
        elif target == "phone":
            phone = normalise_phone(value)
            if phone is None:
                error(_("Not a valid phone number."))
            else:
                row.identities.append((Identity.Kind.PHONE, "", phone))
        elif target == "unionid":
            row.identities.append((Identity.Kind.UNIONID, "", value[:128]))
        elif kind == "openid" and rest in self.accounts:
            row.identities.append((Identity.Kind.OA_OPENID, self.accounts[rest], value[:128]))
        elif kind == "external_userid" and rest in self.corps:
            row.identities.append(
                (Identity.Kind.WECOM_EXTERNAL_USERID, self.corps[rest], value[:128])
            )
        elif kind == "attr" and rest in self.definitions:
            self._parse_attribute(row, self.definitions[rest], value, error)
        elif target == "tags":
            names = [n.strip() for n in re.split(r"[,，、;]", value) if n.strip()]
            if any(len(n) > 30 for n in names):
                error(_("A tag name is longer than 30 characters."))
            else:
                row.tags = names
        elif kind == "consent" and rest in Purpose.values:
            if value.lower() in YES:
                row.consents[rest] = True
            elif value.lower() in NO:
                row.consents[rest] = False
            else:
                error(_("Unknown choice: use yes or no."))
        else:
            error(_("This column is mapped to a field that does not exist."))

    def _parse_attribute(
        self, row: ParsedRow, definition: AttributeDefinition, value: str, error: Any
    ) -> None:
        kind = definition.value_type
        if kind == AttributeDefinition.Type.DATE:
            parsed = parse_date(value)
            if parsed is None:
                error(_("Not a date (use YYYY-MM-DD)."))
                return
            row.attributes[definition.key] = parsed
        elif kind == AttributeDefinition.Type.NUMBER:
            try:
                number = Decimal(value.replace(",", ""))
            except InvalidOperation:
                error(_("Not a number."))
                return
            if not number.is_finite():
                error(_("Not a number."))
                return
            row.attributes[definition.key] = number
        elif kind == AttributeDefinition.Type.CHOICE:
            if value not in definition.choices:
                error(_("Unknown choice: not one of the attribute's choices."))
                return
            row.attributes[definition.key] = value
        else:
            row.attributes[definition.key] = value


def identity_keys(row: ParsedRow) -> list[str]:
    return [f"{kind}|{channel}|{value}" for kind, channel, value in row.identities]


def existing_contact_id(row: ParsedRow) -> int | None:
    """The contact this row would update: by unionid, then openids, then phone, then WeCom."""
    order = [
        Identity.Kind.UNIONID,
        Identity.Kind.OA_OPENID,
        Identity.Kind.PHONE,
        Identity.Kind.WECOM_EXTERNAL_USERID,
    ]
    for kind in order:
        for k, channel, value in row.identities:
            if k == kind:
                found = contact_queries.contact_ids_by_identity(kind, [value], channel)
                if value in found:
                    return found[value]
    return None


__all__ = ["ParsedRow", "RowError", "RowParser", "existing_contact_id", "identity_keys"]
