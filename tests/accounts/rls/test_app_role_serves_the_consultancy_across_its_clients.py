"""As the app role, a consultancy works across its clients: the portfolio lists its engagements, it
engages a consultant on a client and ends the engagement (each write lands in the client's tenant)."""

import pytest

from accounts.capabilities import Role
from accounts.models import AuditEvent, Engagement, Membership
from tests.conftest import url
from tests.factories import make_engagement, make_member

pytestmark = pytest.mark.services


def test_the_portfolio_lists_the_firms_engagements(client, carol, capfirm, as_app_role):
    boss = make_member(capfirm, role=Role.CEO)
    client.force_login(boss.user)
    with as_app_role():
        page = client.get(url("accounts:portfolio", org_slug="capfirm"))
    assert page.status_code == 200
    assert "carol@capfirm.test" in page.content.decode()


def test_engaging_then_ending_writes_in_both_tenants(client, capfirm, globex, as_app_role):
    boss = make_member(capfirm, role=Role.CEO)
    dan = make_member(capfirm, role=Role.COO, email="dan@capfirm.test")
    make_engagement(client=globex, consultant=make_member(capfirm, role=Role.COO), role=Role.COO)  # a client already
    client.force_login(boss.user)
    with as_app_role():
        created = client.post(url("accounts:engagement_create", org_slug="capfirm"),
                              {"client": globex.pk, "consultant": dan.pk, "role": Role.CFO})
    assert created.status_code == 302
    engagement = Engagement.objects.get(organization=globex, consultant=dan)
    assert AuditEvent.objects.filter(action="engagement.created", target_id=str(engagement.pk)).count() == 2
    # Since #9 the client sets how far an engagement goes: its CEO approves it, in its own tenant.
    assert engagement.is_pending and not Membership.objects.filter(organization=globex, user=dan.user).exists()
    client.force_login(make_member(globex, role=Role.CEO).user)
    with as_app_role():
        approved = client.post(url("accounts:engagement_approve", org_slug=globex.slug, engagement_id=engagement.pk))
    assert approved.status_code == 302
    assert Membership.objects.get(organization=globex, user=dan.user).role == Role.CFO
    client.force_login(boss.user)

    with as_app_role():
        ended = client.post(url("accounts:engagement_end", org_slug="capfirm", engagement_id=engagement.pk))
    assert ended.status_code == 302
    assert not Membership.objects.filter(organization=globex, user=dan.user).exists()
    assert AuditEvent.objects.filter(action="engagement.ended", target_id=str(engagement.pk)).count() == 2
