"""What a column can be imported into, and a first guess from its header."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shequn.channels.models import OfficialAccount, WeComCorp
from shequn.contacts import queries as contact_queries
from shequn.privacy.models import Purpose

PROFILE_TARGETS = ("display_name", "nickname", "remark", "gender", "region", "language")
IDENTITY_TARGETS = ("phone", "unionid")

# Header spellings seen in exports of other tools (lower-cased) → target.
ALIASES: dict[str, str] = {
    "name": "display_name",
    "姓名": "display_name",
    "名前": "display_name",
    "昵称": "nickname",
    "ニックネーム": "nickname",
    "备注": "remark",
    "メモ": "remark",
    "性别": "gender",
    "性別": "gender",
    "地区": "region",
    "地域": "region",
    "语言": "language",
    "言語": "language",
    "mobile": "phone",
    "tel": "phone",
    "手机": "phone",
    "手机号": "phone",
    "電話番号": "phone",
    "标签": "tags",
    "タグ": "tags",
    "tag": "tags",
}


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


def targets() -> list[Target]:
    """Every target of the current workspace, for the mapping form and for validation."""
    out = [
        Target("display_name", _("Display name")),
        Target("nickname", _("Nickname")),
        Target("remark", _("Remark")),
        Target("gender", _("Gender")),
        Target("region", _("Region")),
        Target("language", _("Language")),
        Target("phone", _("Phone number")),
        Target("unionid", _("UnionID")),
    ]
    for account in OfficialAccount.objects.order_by("name"):
        out.append(
            Target(f"openid:{account.uid}", _("OpenID on %(name)s") % {"name": account.name})
        )
    for corp in WeComCorp.objects.order_by("name"):
        out.append(
            Target(
                f"external_userid:{corp.uid}",
                _("External user ID on %(name)s") % {"name": corp.name},
            )
        )
    for definition in contact_queries.attribute_definitions():
        out.append(
            Target(
                f"attr:{definition.key}",
                _("Attribute: %(label)s") % {"label": definition.label},
                (definition.key, definition.label),
            )
        )
    out.append(Target("tags", _("Tags (comma-separated)")))
    for purpose in Purpose:
        out.append(Target(f"consent:{purpose.value}", _("Consent: %(p)s") % {"p": purpose.label}))
    return out


def guess_mapping(headers: list[str], available: list[Target]) -> dict[str, str]:
    """Header → target when the header names a target by key, label or a known alias."""
    by_name: dict[str, str] = {}
    for target in available:
        by_name[target.key.lower()] = target.key
        by_name[target.label.lower()] = target.key
        for alias in target.aliases:
            by_name.setdefault(alias.lower(), target.key)
    by_name.update({k: v for k, v in ALIASES.items() if k not in by_name})
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        key = by_name.get(header.strip().lower(), "")
        if key and key not in used:
            mapping[header] = key
            used.add(key)
    return mapping
