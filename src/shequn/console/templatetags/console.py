"""Template helpers of the console: times with their zone, inline icons, query strings."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from shequn.accounts.models import ApiToken

register = template.Library()

_ICONS = Path(__file__).resolve().parent.parent / "static" / "console" / "icons"


@register.filter
def when(value: datetime | None) -> str:
    """A moment in the active (workspace) time zone, in the locale's format, with the zone's
    abbreviation: Tokyo and Shanghai readers must not guess whose clock it is."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {local.tzname()}"


@register.filter
def when_iso(value: datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).isoformat()


@register.filter
def day(value: datetime | None) -> str:
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


@register.filter
def scope_label(value: str) -> str:
    return str(dict(ApiToken.Scope.choices).get(value, value))


@lru_cache(maxsize=64)
def _svg(name: str) -> str:
    path = _ICONS / f"{name}.svg"
    if not name.replace("-", "").isalnum() or not path.is_file():
        return ""
    return path.read_text(encoding="utf-8").strip()


@register.simple_tag
def icon(name: str, css_class: str = "icon") -> SafeString:
    svg = _svg(name)
    if not svg:
        return mark_safe("")
    # The files are ours (static/console/icons); decorative, so hidden from assistive tech.
    return format_html(
        '<span class="{}" aria-hidden="true">{}</span>',
        css_class,
        mark_safe(svg),  # noqa: S308 - trusted file shipped with the app
    )
