from __future__ import annotations

import itertools

from shequn.accounts import services as account_services
from shequn.accounts.models import User
from shequn.tenancy import services
from shequn.tenancy.models import Membership, Organization, Workspace

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


def make_user(email: str | None = None, *, language: str = "", display_name: str = "") -> User:
    return account_services.create_user(
        email or f"user{next(_seq)}@example.com",
        PASSWORD,
        language=language,
        display_name=display_name,
    )


def make_organization(
    name: str = "Acme Agency", kind: str = Organization.Kind.AGENCY
) -> Organization:
    return services.create_organization(name=name, kind=kind)


def make_workspace(
    name: str, *, owner: User, organization: Organization | None = None, slug: str | None = None
) -> Workspace:
    return services.create_workspace(
        organization=organization or make_organization(f"{name} Org"),
        name=name,
        owner=owner,
        slug=slug,
    )


def make_member(workspace: Workspace, role: str, email: str | None = None) -> Membership:
    return services.add_member(workspace, make_user(email), role)
