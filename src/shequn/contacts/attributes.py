"""Custom attributes: definitions per workspace and typed, validated values per contact."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.contacts.models import AttributeDefinition, Contact, ContactAttribute

TEXT_MAX = 1000
CHOICE_MAX = 100
MAX_CHOICES = 100
Type = AttributeDefinition.Type


class AttributeValueError(ValueError):
    """A value or a definition that does not fit; the message is shown to the operator."""


def _clean_choices(value_type: str, choices: Sequence[str]) -> list[str]:
    cleaned = [str(c).strip() for c in choices if str(c).strip()]
    if value_type != Type.CHOICE:
        return []
    if not cleaned:
        raise AttributeValueError(_("A choice attribute needs at least one choice."))
    if len(cleaned) > MAX_CHOICES or any(len(c) > CHOICE_MAX for c in cleaned):
        raise AttributeValueError(
            _("At most %(count)d choices of up to %(length)d characters each.")
            % {"count": MAX_CHOICES, "length": CHOICE_MAX}
        )
    if len(set(cleaned)) != len(cleaned):
        raise AttributeValueError(_("Choices must be different from each other."))
    return cleaned


def define_attribute(
    *,
    key: str,
    label: str,
    value_type: str,
    choices: Sequence[str] = (),
    derive_age_months: bool = False,
) -> AttributeDefinition:
    key = slugify(key or label).replace("-", "_")[:60]
    label = label.strip()
    if not key or not label:
        raise AttributeValueError(_("An attribute needs a key and a label."))
    if value_type not in Type.values:
        raise AttributeValueError(_("Unknown attribute type."))
    if derive_age_months and value_type != Type.DATE:
        raise AttributeValueError(_("Only a date attribute can derive an age in months."))
    if AttributeDefinition.objects.filter(key=key).exists():
        raise AttributeValueError(_("An attribute with this key already exists."))
    definition: AttributeDefinition = AttributeDefinition.objects.create(
        key=key,
        label=label[:100],
        value_type=value_type,
        choices=_clean_choices(value_type, choices),
        derive_age_months=derive_age_months,
        position=AttributeDefinition.objects.count(),
    )
    record("contacts.attribute.defined", target=definition, data={"key": key})
    return definition


def update_attribute_definition(
    definition: AttributeDefinition,
    *,
    label: str | None = None,
    choices: Sequence[str] | None = None,
    derive_age_months: bool | None = None,
) -> AttributeDefinition:
    """The key and type stay: values already stored are typed by them."""
    if label is not None:
        if not label.strip():
            raise AttributeValueError(_("An attribute needs a key and a label."))
        definition.label = label.strip()[:100]
    if choices is not None:
        definition.choices = _clean_choices(definition.value_type, choices)
    if derive_age_months is not None:
        if derive_age_months and definition.value_type != Type.DATE:
            raise AttributeValueError(_("Only a date attribute can derive an age in months."))
        definition.derive_age_months = derive_age_months
    definition.save()
    record("contacts.attribute.updated", target=definition, data={"key": definition.key})
    return definition


def delete_attribute_definition(definition: AttributeDefinition) -> None:
    record("contacts.attribute.deleted", target=definition, data={"key": definition.key})
    definition.delete()


def parse_value(definition: AttributeDefinition, value: Any) -> dict[str, Any]:
    """The column values for `value`, or AttributeValueError with a message for the operator."""
    kind = definition.value_type
    if kind == Type.TEXT:
        text = str(value).strip()
        if len(text) > TEXT_MAX:
            raise AttributeValueError(
                _("%(label)s is longer than %(max)d characters.")
                % {"label": definition.label, "max": TEXT_MAX}
            )
        return {"value_text": text}
    if kind == Type.NUMBER:
        if isinstance(value, bool):
            raise AttributeValueError(
                _("%(label)s must be a number.") % {"label": definition.label}
            )
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise AttributeValueError(
                _("%(label)s must be a number.") % {"label": definition.label}
            ) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            raise AttributeValueError(
                _("%(label)s must be a number.") % {"label": definition.label}
            )
        return {"value_number": number.quantize(Decimal("0.000001"))}
    if kind == Type.DATE:
        if isinstance(value, datetime):
            return {"value_date": value.date()}
        if isinstance(value, date):
            return {"value_date": value}
        try:
            return {"value_date": date.fromisoformat(str(value).strip())}
        except ValueError:
            raise AttributeValueError(
                _("%(label)s must be a date (YYYY-MM-DD).") % {"label": definition.label}
            ) from None
    choice = str(value).strip()
    if choice not in definition.choices:
        raise AttributeValueError(
            _("%(value)s is not one of the choices of %(label)s.")
            % {"value": choice, "label": definition.label}
        )
    return {"value_choice": choice}


def _definition(key: str | AttributeDefinition) -> AttributeDefinition:
    if isinstance(key, AttributeDefinition):
        return key
    found: AttributeDefinition | None = AttributeDefinition.objects.filter(key=key).first()
    if found is None:
        raise AttributeValueError(_("Unknown attribute: %(key)s") % {"key": key})
    return found


@transaction.atomic
def set_attribute(
    contact: Contact, key: str | AttributeDefinition, value: Any
) -> ContactAttribute | None:
    """Set (or, with None or "", clear) one attribute of a contact; validated by its type."""
    definition = _definition(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        clear_attribute(contact, definition)
        return None
    columns = {
        "value_text": "",
        "value_number": None,
        "value_date": None,
        "value_choice": "",
        **parse_value(definition, value),
    }
    attribute, _created = ContactAttribute.objects.update_or_create(
        contact=contact, definition=definition, defaults=columns
    )
    return attribute  # type: ignore[no-any-return]


def clear_attribute(contact: Contact, key: str | AttributeDefinition) -> None:
    ContactAttribute.objects.filter(contact=contact, definition=_definition(key)).delete()


def display_value(attribute: ContactAttribute) -> Any:
    """The typed value of a stored attribute."""
    kind = attribute.definition.value_type
    if kind == Type.NUMBER:
        return attribute.value_number
    if kind == Type.DATE:
        return attribute.value_date
    if kind == Type.CHOICE:
        return attribute.value_choice
    return attribute.value_text


def age_in_months(born: date, today: date) -> int:
    """Whole months from `born` to `today` (a baby born on 31 Jan is one month old on 1 Mar)."""
    months = (today.year - born.year) * 12 + today.month - born.month
    if today.day < born.day:
        months -= 1
    return max(months, 0)
