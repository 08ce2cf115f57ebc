import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.capabilities import Role
from accounts.models import Invitation, Membership
from tests.conftest import url
from tests.factories import PASSWORD, make_user


def _invite(client, inviter, email, role=Role.CFO):
    client.force_login(inviter.user)
    return client.post(url("accounts:invitation_create", org_slug=inviter.organization.slug),
                       {"email": email, "role": role})


def _link_from_mail() -> str:
    return re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)


def test_ceo_invites_a_cfo_who_signs_up_and_accepts(client, acme_ceo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, acme_ceo, "new.cfo@acme.test")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new.cfo@acme.test"]
    path = _link_from_mail().split("127.0.0.1:8000")[-1]
    client.logout()

    signup = client.post(reverse("account_signup") + f"?next={path}", {
        "full_name": "Nadia Cfo", "email": "new.cfo@acme.test", "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
    })
    assert signup.status_code == 302
    assert client.get(path).status_code == 200
    accepted = client.post(path)

    assert accepted.status_code == 302
    membership = Membership.objects.get(organization=acme_ceo.organization, user__email="new.cfo@acme.test")
    assert membership.role == Role.CFO
    assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 200


def test_a_revoked_invitation_can_no_longer_be_accepted(client, acme_ceo):
    _invite(client, acme_ceo, "late@acme.test")
    invitation = Invitation.objects.get(email="late@acme.test")
    client.post(url("accounts:invitation_revoke", org_slug="acme", invitation_id=invitation.pk))
    invitee = make_user(email="late@acme.test")
    client.force_login(invitee)

    client.post(url("invitations:accept", invitation.token))

    assert not Membership.objects.filter(user=invitee).exists()


def test_an_invitation_is_for_its_address_only(client, acme_ceo):
    _invite(client, acme_ceo, "intended@acme.test")
    invitation = Invitation.objects.get(email="intended@acme.test")
    someone_else = make_user(email="other@elsewhere.test")
    client.force_login(someone_else)

    response = client.post(url("invitations:accept", invitation.token), follow=True)

    assert "This invitation is for intended@acme.test" in response.content.decode()
    assert not Membership.objects.filter(user=someone_else).exists()


def test_an_expired_invitation_is_refused(client, acme_ceo):
    _invite(client, acme_ceo, "slow@acme.test")
    invitation = Invitation.objects.get(email="slow@acme.test")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    invitee = make_user(email="slow@acme.test")
    client.force_login(invitee)

    client.post(url("invitations:accept", invitation.token))

    assert not Membership.objects.filter(user=invitee).exists()


def test_an_invitation_is_used_once(client, acme_ceo):
    _invite(client, acme_ceo, "once@acme.test")
    invitation = Invitation.objects.get(email="once@acme.test")
    client.force_login(make_user(email="once@acme.test"))
    client.post(url("invitations:accept", invitation.token))

    client.post(url("invitations:accept", invitation.token))

    assert Membership.objects.filter(user__email="once@acme.test").count() == 1


def test_inviting_a_current_member_says_so(client, acme_ceo, alice):
    response = _invite(client, acme_ceo, alice.user.email)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already a member" in m for m in messages)
    assert not Invitation.objects.filter(email=alice.user.email).exists()


@pytest.mark.parametrize("role", [Role.CFO, Role.COO, Role.CRO, Role.VIEWER])
def test_only_ceo_and_admin_invite(client, acme, role):
    from tests.factories import make_member

    member = make_member(acme, role=role)
    assert _invite(client, member, "x@acme.test").status_code == 403


def test_an_unknown_invitation_link_is_404(client, db):
    assert client.get(url("invitations:accept", "nope")).status_code == 404


def test_existing_user_logs_in_from_the_invitation_and_accepts(client, acme_ceo):
    _invite(client, acme_ceo, "returning@acme.test")
    invitation = Invitation.objects.get(email="returning@acme.test")
    make_user(email="returning@acme.test")
    client.logout()
    path = url("invitations:accept", invitation.token)

    login = client.post(reverse("account_login") + f"?next={path}",
                        {"login": "returning@acme.test", "password": PASSWORD})
    assert login["Location"] == path
    client.post(path)

    assert Membership.objects.filter(organization=acme_ceo.organization, user__email="returning@acme.test").exists()
