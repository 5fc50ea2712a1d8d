"""The two-tenant fixture world every test can lean on.

Tenant A is "sakura" (a Japanese cosmetics brand), tenant B is "longjing" (a tea brand); both are
run by one agency. Each has an owner, an operator and a viewer; a test that touches tenant data
should show that B never sees A's.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pytest

from shequn.accounts.models import User
from shequn.tenancy.models import Membership, Organization, Workspace
from shequn.tenancy.roles import Role
from shequn.tenancy.scope import tenant_scope
from tests.factories.tenancy import (
    PASSWORD,
    make_member,
    make_organization,
    make_user,
    make_workspace,
)


@dataclass
class Tenant:
    workspace: Workspace
    owner: User
    operator: Membership
    viewer: Membership

    def scope(self) -> AbstractContextManager[Workspace]:
        return tenant_scope(self.workspace)


@dataclass
class World:
    agency: Organization
    a: Tenant
    b: Tenant
    password: str = PASSWORD


@pytest.fixture
def world(db: None) -> World:
    agency = make_organization("Kawa Agency")

    def tenant(name: str, slug: str) -> Tenant:
        owner = make_user(f"owner@{slug}.example.com", display_name=f"{name} owner")
        ws = make_workspace(name, owner=owner, organization=agency, slug=slug)
        return Tenant(
            workspace=ws,
            owner=owner,
            operator=make_member(ws, Role.OPERATOR, f"operator@{slug}.example.com"),
            viewer=make_member(ws, Role.VIEWER, f"viewer@{slug}.example.com"),
        )

    return World(
        agency=agency, a=tenant("Sakura Cosmetics", "sakura"), b=tenant("Longjing Tea", "longjing")
    )


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return (
        f"shequn database: {settings.DATABASES['default']['ENGINE']}; CI={os.environ.get('CI', '')}"
    )
