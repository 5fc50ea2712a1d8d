"""The demo's agency, its two client brands and their people (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from shequn.accounts import services as account_services
from shequn.accounts.models import User
from shequn.tenancy import queries as tenancy_queries
from shequn.tenancy import services as tenancy_services
from shequn.tenancy.models import Organization, Workspace
from shequn.tenancy.roles import Role

DEMO_PASSWORD = "shequn-demo-2026"  # noqa: S105 - printed for the local demo on purpose


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    language: str
    role: str


DEMO_USERS = [
    DemoUser("mika@demo.shequn.local", "佐藤 美香", "ja", Role.OWNER),
    DemoUser("liwei@demo.shequn.local", "李伟", "zh-hans", Role.OPERATOR),
    DemoUser("emma@demo.shequn.local", "Emma Clarke", "en", Role.ADMIN),
]
DEMO_WORKSPACES = [
    ("sakura-cosmetics", "Sakura Cosmetics さくらコスメ", "ja"),
    ("hoshi-baby", "Hoshi Baby 星宝贝", "zh-hans"),
]


@transaction.atomic
def seed_demo() -> list[Workspace]:
    users: list[User] = []
    for spec in DEMO_USERS:
        user = User.objects.filter(email=spec.email).first() or account_services.create_user(
            spec.email, DEMO_PASSWORD, display_name=spec.name, language=spec.language
        )
        users.append(user)
    agency = Organization.objects.filter(
        name="Kawa Partners"
    ).first() or tenancy_services.create_organization(
        name="Kawa Partners", kind=Organization.Kind.AGENCY
    )
    workspaces = []
    for slug, name, language in DEMO_WORKSPACES:
        ws = Workspace.objects.filter(slug=slug).first() or tenancy_services.create_workspace(
            organization=agency, name=name, owner=users[0], slug=slug, default_language=language
        )
        members = {m.user_id for m in tenancy_queries.members_of(ws)}
        for spec, user in zip(DEMO_USERS[1:], users[1:], strict=True):
            if user.pk not in members:
                tenancy_services.add_member(ws, user, spec.role)
        workspaces.append(ws)
    return workspaces
