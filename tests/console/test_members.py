"""Settings → Members: invite, revoke, change role, remove; each lands in the audit log."""

from __future__ import annotations

from django.core import mail

from shequn.accounts.models import Invitation
from shequn.audit.models import AuditEvent
from shequn.tenancy.models import Membership
from shequn.tenancy.roles import Role

MEMBERS = "/w/sakura/settings/members/"
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "members-panel"}


def _actions(world) -> list[str]:
    return list(AuditEvent.objects.for_tenant(world.a.workspace).values_list("action", flat=True))


def test_invite_sends_mail_and_is_audited(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(world.a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{MEMBERS}invite/", {"email": "Mei@Example.com", "role": "operator"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.for_tenant(world.a.workspace).get()
    assert (invitation.email, invitation.role) == ("mei@example.com", "operator")
    assert mail.outbox[0].to == ["mei@example.com"]
    event = AuditEvent.objects.for_tenant(world.a.workspace).filter(action="invitation.sent").get()
    assert event.actor_label == world.a.owner.email
    page = client.get(MEMBERS).content.decode()
    assert "mei@example.com" in page
    assert "Invitation sent to mei@example.com." in page
    # Tenant B sees nothing of it.
    assert not Invitation.objects.for_tenant(world.b.workspace).exists()


def test_invite_with_htmx_returns_the_panel(world, client_for) -> None:
    response = client_for(world.a.owner).post(
        f"{MEMBERS}invite/", {"email": "hx@example.com", "role": "viewer"}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "hx@example.com" in html
    assert "Invitation sent to hx@example.com." in html


def test_invalid_invite_shows_the_error(world, client_for) -> None:
    response = client_for(world.a.owner).post(
        f"{MEMBERS}invite/", {"email": "nope", "role": "viewer"}
    )
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert not Invitation.objects.for_tenant(world.a.workspace).exists()


def test_revoke_invitation(world, client_for) -> None:
    client = client_for(world.a.owner)
    client.post(f"{MEMBERS}invite/", {"email": "gone@example.com", "role": "viewer"})
    invitation = Invitation.objects.for_tenant(world.a.workspace).get()
    response = client.post(f"/w/sakura/settings/invitations/{invitation.uid}/revoke/", **HX)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "invitation.revoked" in _actions(world)
    assert "gone@example.com was revoked" in response.content.decode()


def test_b_cannot_revoke_as_invitation(world, client_for) -> None:
    client_for(world.a.owner).post(
        f"{MEMBERS}invite/", {"email": "x@example.com", "role": "viewer"}
    )
    invitation = Invitation.objects.for_tenant(world.a.workspace).get()
    response = client_for(world.b.owner).post(
        f"/w/longjing/settings/invitations/{invitation.uid}/revoke/"
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_change_role_and_remove(world, client_for) -> None:
    client = client_for(world.a.owner)
    viewer = world.a.viewer
    response = client.post(f"{MEMBERS}{viewer.uid}/role/", {"role": "analyst"}, **HX)
    assert response.status_code == 200
    viewer.refresh_from_db()
    assert viewer.role == Role.ANALYST
    assert "is now Analyst" in response.content.decode()

    response = client.post(f"{MEMBERS}{viewer.uid}/remove/", **HX)
    assert response.status_code == 200
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    actions = _actions(world)
    assert "member.role_changed" in actions
    assert "member.removed" in actions


def test_admin_cannot_grant_owner_or_touch_the_owner(world, client_for) -> None:
    world.a.operator.role = Role.ADMIN
    world.a.operator.save()
    client = client_for(world.a.operator)
    page = client.get(MEMBERS).content.decode()
    assert '<option value="owner"' not in page

    client.post(f"{MEMBERS}{world.a.viewer.uid}/role/", {"role": "owner"})
    world.a.viewer.refresh_from_db()
    assert world.a.viewer.role == Role.VIEWER

    owner_membership = Membership.objects.get(workspace=world.a.workspace, user=world.a.owner)
    client.post(f"{MEMBERS}{owner_membership.uid}/remove/")
    assert Membership.objects.filter(pk=owner_membership.pk).exists()
    client.post(f"{MEMBERS}invite/", {"email": "boss@example.com", "role": "owner"})
    assert not Invitation.objects.for_tenant(world.a.workspace).exists()


def test_members_of_another_workspace_cannot_be_targeted(world, client_for) -> None:
    response = client_for(world.a.owner).post(
        f"{MEMBERS}{world.b.viewer.uid}/role/", {"role": "analyst"}
    )
    assert response.status_code == 404
    world.b.viewer.refresh_from_db()
    assert world.b.viewer.role == Role.VIEWER


def test_operator_cannot_manage_members(world, client_for) -> None:
    client = client_for(world.a.operator)
    response = client.post(f"{MEMBERS}invite/", {"email": "x@example.com", "role": "viewer"})
    assert response.status_code == 403
    response = client.post(f"{MEMBERS}{world.a.viewer.uid}/remove/")
    assert response.status_code == 403
    assert Membership.objects.filter(pk=world.a.viewer.pk).exists()


def test_actions_are_post_only(world, client_for) -> None:
    response = client_for(world.a.owner).get(f"{MEMBERS}{world.a.viewer.uid}/remove/")
    assert response.status_code == 405
