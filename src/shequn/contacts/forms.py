"""Console forms of the contacts area: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.contacts.models import TAG_NAME_MAX, AttributeDefinition, AutoTagRule, Contact

GENDERS = (("", _("Unknown")), ("male", _("Male")), ("female", _("Female")))


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=200, required=False)
    nickname = forms.CharField(label=_("Nickname"), max_length=200, required=False)
    remark = forms.CharField(label=_("Remark"), max_length=200, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDERS, required=False)
    region = forms.CharField(label=_("Region"), max_length=200, required=False)
    language = forms.CharField(label=_("Language"), max_length=20, required=False)
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=Contact.Lifecycle)

    @classmethod
    def for_contact(cls, contact: Contact) -> ProfileForm:
        initial = {name: getattr(contact, name) for name in cls.base_fields}
        form = cls(initial=initial)
        gender = contact.gender
        if gender and gender not in dict(GENDERS):
            # A value WeChat or an import gave that the list does not know: keep it selectable.
            form.fields["gender"].choices = [*GENDERS, (gender, gender)]  # type: ignore[attr-defined]
        return form


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag name"), max_length=200)


class AutoTagRuleForm(forms.Form):
    tag = forms.UUIDField(label=_("Tag"))
    trigger = forms.ChoiceField(label=_("When a contact"), choices=AutoTagRule.Trigger)
    value = forms.CharField(label=_("Value"), max_length=128, required=False)


class AttributeDefinitionForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100)
    key = forms.CharField(
        label=_("Key"),
        max_length=60,
        required=False,
        help_text=_("Used in imports, the API and segments; made from the label when empty."),
    )
    value_type = forms.ChoiceField(label=_("Type"), choices=AttributeDefinition.Type)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice attribute: one choice a line."),
    )
    derive_age_months = forms.BooleanField(
        label=_("Show the age in months (for a date such as a baby's birthday)"), required=False
    )


class AttributeEditForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100)
    choices = forms.CharField(label=_("Choices"), required=False, widget=forms.Textarea)
    derive_age_months = forms.BooleanField(required=False)


def choice_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


__all__ = [
    "TAG_NAME_MAX",
    "AttributeDefinitionForm",
    "AttributeEditForm",
    "AutoTagRuleForm",
    "ProfileForm",
    "TagForm",
    "choice_lines",
]
