"""Console forms. Labels are translated; choices depend on the acting member's role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.accounts.models import ApiToken
from shequn.tenancy.models import Membership
from shequn.tenancy.roles import ROLE_RANK, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a dev-only package: annotations only


def grantable_roles(by: Membership) -> list[tuple[str, StrOrPromise]]:
    """The roles this member may hand out: never one above their own."""
    rank = ROLE_RANK[Role(by.role)]
    return [(value, label) for value, label in Role.choices if ROLE_RANK[Role(value)] <= rank]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, by: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_roles(by)  # type: ignore[attr-defined]
        self.fields["role"].initial = Role.VIEWER


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, by: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_roles(by)  # type: ignore[attr-defined]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiToken.Scope.READ],
        error_messages={"required": _("Choose at least one scope.")},
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=200)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *[(a, a) for a in actions]]  # type: ignore[attr-defined]
