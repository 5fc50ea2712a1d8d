"""The role table: what each role may do."""

from __future__ import annotations

import pytest

from shequn.tenancy.models import Membership
from shequn.tenancy.roles import ROLE_PERMISSIONS, ROLE_RANK, Permission, Role, role_allows
from tests.conftest import World

P = Permission


def test_owner_may_do_everything() -> None:
    assert all(role_allows(Role.OWNER, p) for p in Permission)


@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (Role.VIEWER, {P.VIEW}, {P.OPERATE, P.EXPORT_DATA, P.VIEW_AUDIT, P.MANAGE_TOKENS}),
        (Role.ANALYST, {P.VIEW, P.VIEW_ANALYTICS, P.EXPORT_DATA}, {P.OPERATE, P.MANAGE_MEMBERS}),
        (
            Role.OPERATOR,
            {P.OPERATE, P.MANAGE_CONTENT, P.MANAGE_CAMPAIGNS},
            {P.EXPORT_DATA, P.MANAGE_CHANNELS, P.MANAGE_TOKENS},
        ),
        (
            Role.ADMIN,
            {P.MANAGE_MEMBERS, P.MANAGE_TOKENS, P.VIEW_AUDIT, P.MANAGE_CHANNELS},
            {P.MANAGE_BILLING, P.DELETE_WORKSPACE},
        ),
    ],
)
def test_role_table(role: Role, allowed: set[Permission], denied: set[Permission]) -> None:
    assert all(role_allows(role, p) for p in allowed)
    assert not any(role_allows(role, p) for p in denied)


def test_every_role_may_view_and_unknown_roles_may_do_nothing() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert all(role_allows(role, P.VIEW) for role in Role)
    assert not any(role_allows("superhero", p) for p in Permission)


def test_ranks_order_the_roles() -> None:
    ordered = sorted(Role, key=lambda r: ROLE_RANK[r])
    assert ordered == [Role.VIEWER, Role.ANALYST, Role.OPERATOR, Role.ADMIN, Role.OWNER]


def test_membership_allows_reads_the_table(world: World) -> None:
    viewer: Membership = world.a.viewer
    assert viewer.allows(P.VIEW)
    assert not viewer.allows(P.MANAGE_MEMBERS)
