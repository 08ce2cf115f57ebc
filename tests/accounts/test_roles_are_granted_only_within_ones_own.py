"""Nobody grants, changes or removes a role above their own; only a CEO grants CEO; nobody changes
their own role; the last CEO stays (issue #9, "Capabilities that can be walked around")."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.capabilities import CAPABILITIES, ROLE_RANK, Role, role_within
from accounts.models import Invitation, Membership
from tests.conftest import url
from tests.factories import make_consultancy, make_member, make_org


@pytest.fixture
def acme_admin(acme):
    return make_member(acme, role=Role.ADMIN, email="admin@acme.test")


def _change_role(client, actor, target, role):
    client.force_login(actor.user)
    return client.post(url("accounts:member_change_role", org_slug=actor.organization.slug,
                           membership_id=target.pk), {"role": role})


def test_an_admin_cannot_make_themselves_ceo(client, acme_ceo, acme_admin):
    _change_role(client, acme_admin, acme_admin, Role.CEO)
    acme_admin.refresh_from_db()
    assert acme_admin.role == Role.ADMIN


def test_nobody_changes_their_own_role_not_even_a_ceo(client, acme, acme_ceo):
    make_member(acme, role=Role.CEO)
    _change_role(client, acme_ceo, acme_ceo, Role.CFO)
    acme_ceo.refresh_from_db()
    assert acme_ceo.role == Role.CEO


def test_an_admin_cannot_invite_a_ceo_or_an_executive(client, acme_ceo, acme_admin):
    client.force_login(acme_admin.user)
    for role in (Role.CEO, Role.CFO):
        client.post(url("accounts:invitation_create", org_slug="acme"), {"email": f"{role}@x.test", "role": role})
    assert not Invitation.objects.filter(organization=acme_admin.organization).exists()


def test_an_admin_invites_an_admin_and_a_viewer(client, acme_ceo, acme_admin):
    client.force_login(acme_admin.user)
    for role in (Role.ADMIN, Role.VIEWER):
        client.post(url("accounts:invitation_create", org_slug="acme"), {"email": f"{role}@x.test", "role": role})
    assert Invitation.objects.filter(organization=acme_admin.organization).count() == 2


def test_an_admin_cannot_remove_or_demote_the_cfo(client, acme_ceo, acme_admin, alice):
    _change_role(client, acme_admin, alice, Role.VIEWER)
    client.post(url("accounts:member_remove", org_slug="acme", membership_id=alice.pk))
    alice.refresh_from_db()
    assert alice.role == Role.CFO


def test_an_admin_cannot_promote_a_viewer_above_admin(client, acme, acme_ceo, acme_admin):
    viewer = make_member(acme, role=Role.VIEWER)
    _change_role(client, acme_admin, viewer, Role.CFO)
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER


def test_only_a_ceo_grants_ceo(client, acme_ceo, bob):
    _change_role(client, acme_ceo, bob, Role.CEO)
    bob.refresh_from_db()
    assert bob.role == Role.CEO


def test_the_last_ceo_cannot_leave_or_be_demoted_by_another_ceo_turned_cfo(client, acme, acme_ceo):
    with pytest.raises(ValidationError):
        services.membership_remove(membership=acme_ceo, by=acme_ceo.user)
    assert Membership.objects.filter(pk=acme_ceo.pk).exists()


def test_the_services_enforce_it_not_only_the_views(acme, acme_ceo, acme_admin, alice):
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=alice, role=Role.VIEWER, by=acme_admin.user)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=alice, by=acme_admin.user)
    with pytest.raises(ValidationError):
        services.invitation_create(org=acme, email="boss@x.test", role=Role.CEO, by=acme_admin.user)


def test_a_consultancy_admin_cannot_engage_anyone_as_ceo_of_a_client(db):
    firm, client_company = make_consultancy(), make_org()
    admin = make_member(firm, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.engagement_create(client=client_company, consultant=admin, role=Role.CEO, by=admin.user)
    assert not Membership.objects.filter(organization=client_company).exists()


def test_the_ceo_ranks_highest_and_every_role_is_within_it():
    assert max(ROLE_RANK, key=ROLE_RANK.get) == Role.CEO
    assert all(role_within(role, Role.CEO) for role in Role.values)


def test_a_role_within_another_never_carries_a_capability_the_other_lacks():
    for role in Role.values:
        for limit in Role.values:
            if role_within(role, limit):
                assert CAPABILITIES[role] <= CAPABILITIES[limit]
