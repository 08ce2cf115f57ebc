"""As the app role, the public invitation link (outside any tenant's pages) shows and accepts its invitation."""

import pytest

from accounts.capabilities import Role
from accounts.models import Invitation, Membership
from accounts.services import invitation_create
from tests.conftest import url
from tests.factories import make_user

pytestmark = pytest.mark.services


def test_the_invited_user_accepts_from_the_link(client, acme, acme_ceo, as_app_role):
    invitation = invitation_create(org=acme, email="newcomer@acme.test", role=Role.CRO, by=acme_ceo.user)
    newcomer = make_user(email="newcomer@acme.test")
    client.force_login(newcomer)
    path = url("invitations:accept", invitation.token)
    with as_app_role():
        shown = client.get(path)
        accepted = client.post(path)
        unknown = client.get(url("invitations:accept", "not-a-token"))
    assert shown.status_code == 200 and "Acme" in shown.content.decode()
    assert accepted["Location"] == url("accounts:org_home", org_slug="acme")
    assert unknown.status_code == 404
    assert Membership.objects.get(organization=acme, user=newcomer).role == Role.CRO
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
