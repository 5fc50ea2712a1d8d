"""Sign-in with throttling, password reset by e-mail, accepting an invitation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequn.accounts import services as account_services
from shequn.accounts.models import Invitation, User
from shequn.tenancy.models import Membership
from shequn.tenancy.roles import Role
from tests.conftest import World

SIGN_IN = "/accounts/sign-in/"


def _sign_in(client: Client, email: str, password: str) -> Any:
    return client.post(SIGN_IN, {"email": email, "password": password})


def test_sign_in_with_the_right_password(world: World) -> None:
    client = Client()
    response = _sign_in(client, "OWNER@sakura.example.com", world.password)
    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")
    assert client.session["_auth_user_id"] == str(world.a.owner.pk)


def test_wrong_password_does_not_sign_in(world: World) -> None:
    client = Client()
    response = _sign_in(client, "owner@sakura.example.com", "wrong-password-1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_address_then_it_recovers(world: World) -> None:
    email = "owner@sakura.example.com"
    client = Client()
    for _ in range(5):
        assert _sign_in(client, email, "wrong-password-1").status_code == 200
    locked = _sign_in(client, email, world.password)  # even the right password
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _sign_in(Client(), email, world.password).status_code == 302


def test_other_addresses_are_not_locked_by_one_address(world: World) -> None:
    for _ in range(5):
        _sign_in(Client(), "owner@sakura.example.com", "wrong-password-1")
    assert _sign_in(Client(), "owner@longjing.example.com", world.password).status_code == 302


def test_password_reset_mails_a_working_link(world: World, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": "viewer@longjing.example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["viewer@longjing.example.com"]
    link = next(word for word in message.body.split() if "/accounts/password-reset/" in word)
    path = link[link.index("/accounts/") :]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new_password = "a-brand-new-passphrase-42"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert User.objects.get(email="viewer@longjing.example.com").check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing(db: None, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302  # same answer: no account enumeration
    assert mail.outbox == []


def _invite(world: World, email: str, captured: Any) -> str:
    owner = Membership.objects.get(workspace=world.a.workspace, user=world.a.owner)
    with world.a.scope(), captured(execute=True):
        _, link = account_services.invite(email, Role.OPERATOR, by=owner)
    return link[link.index("/accounts/") :]


def test_invitation_is_mailed_and_accepted_by_a_new_user(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    path = _invite(world, "New.Hire@Sakura.example.com", django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["new.hire@sakura.example.com"]]
    assert path in mail.outbox[0].body
    client = Client()
    assert client.get(path).status_code == 200
    response = client.post(path, {"display_name": "New Hire", "password": "tea-and-sakura-2024"})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:workspace_home", kwargs={"workspace": "sakura"})
    user = User.objects.get(email="new.hire@sakura.example.com")
    assert user.check_password("tea-and-sakura-2024")
    membership = Membership.objects.get(workspace=world.a.workspace, user=user)
    assert membership.role == Role.OPERATOR
    with world.a.scope():
        assert Invitation.objects.get(email=user.email).accepted_at is not None
    assert Client().get(path).status_code == 404  # used up
    assert not Membership.objects.filter(workspace=world.b.workspace, user=user).exists()


def test_invitation_link_does_not_work_for_another_workspace(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    path = _invite(world, "someone@example.com", django_capture_on_commit_callbacks)
    assert Client().get(path.replace("/sakura/", "/longjing/")).status_code == 404
    assert Client().get(path[:-5] + "xxxxx/").status_code == 404


def test_invitation_cannot_grant_a_role_above_the_inviter(world: World) -> None:
    import pytest

    operator = world.a.operator
    with world.a.scope(), pytest.raises(account_services.InvitationError):
        account_services.invite("boss@example.com", Role.OWNER, by=operator)
