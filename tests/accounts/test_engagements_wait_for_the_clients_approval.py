"""Issue #9: a consultancy's CEO gave himself any role at a client by creating an engagement. The client
company's CEO or Admin sets (or approves) the highest role each engagement may carry; above it, the
engagement waits for the client's approval and gives no more access."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.capabilities import Role
from accounts.models import Engagement, Membership
from tests.conftest import url
from tests.factories import make_engagement, make_member


@pytest.fixture
def firm_ceo(capfirm):
    return make_member(capfirm, role=Role.CEO, email="boss@capfirm.test")


@pytest.fixture
def request_as_ceo(client, capfirm, carol, firm_ceo):
    """The firm's CEO engages himself as CEO of Acme (which the firm already serves through Carol)."""
    client.force_login(firm_ceo.user)
    client.post(url("accounts:engagement_create", org_slug="capfirm"),
                {"client": carol.organization_id, "consultant": firm_ceo.pk, "role": Role.CEO})
    return Engagement.objects.for_org(carol.organization).get(consultant=firm_ceo)


def test_a_consultancy_ceo_does_not_become_ceo_of_a_client_by_engaging_himself(client, request_as_ceo, firm_ceo):
    assert request_as_ceo.is_pending
    assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 404
    portfolio = client.get(url("accounts:portfolio", org_slug="capfirm")).content.decode()
    assert "waiting for the client&#x27;s approval" in portfolio or "waiting for the client's approval" in portfolio


def test_the_client_sees_the_request_and_its_ceo_approves_it(client, acme_ceo, request_as_ceo, firm_ceo):
    client.force_login(acme_ceo.user)
    page = client.get(url("accounts:member_list", org_slug="acme")).content.decode()
    assert 'data-testid="engagement-pending"' in page and "boss@capfirm.test" in page
    client.post(url("accounts:engagement_approve", org_slug="acme", engagement_id=request_as_ceo.pk))
    client.force_login(firm_ceo.user)
    response = client.get(url("accounts:org_home", org_slug="acme"))
    assert response.status_code == 200 and response.wsgi_request.membership.role == Role.CEO


def test_a_client_admin_cannot_approve_a_role_above_their_own(client, acme, acme_ceo, request_as_ceo):
    admin = make_member(acme, role=Role.ADMIN)
    client.force_login(admin.user)
    client.post(url("accounts:engagement_approve", org_slug="acme", engagement_id=request_as_ceo.pk))
    request_as_ceo.refresh_from_db()
    assert request_as_ceo.is_pending


def test_refusing_a_new_request_withdraws_it(client, acme_ceo, request_as_ceo):
    client.force_login(acme_ceo.user)
    client.post(url("accounts:engagement_refuse", org_slug="acme", engagement_id=request_as_ceo.pk))
    assert not Engagement.objects.filter(pk=request_as_ceo.pk).exists()


def test_a_raise_above_the_ceiling_waits_and_the_consultant_keeps_her_role(acme, acme_ceo, carol, firm_ceo):
    engagement = carol.engagement
    services.engagement_change_role(engagement=engagement, role=Role.CFO, by=firm_ceo.user)
    carol.refresh_from_db()
    assert engagement.is_pending and carol.role == Role.COO
    services.engagement_refuse(engagement=engagement, by=acme_ceo.user)
    engagement.refresh_from_db()
    assert (engagement.role, engagement.is_pending) == (Role.COO, False)


def test_a_ceiling_brings_an_engagement_down_to_it(acme, acme_ceo, capfirm):
    consultant = make_member(capfirm, role=Role.CFO)
    engagement = make_engagement(client=acme, consultant=consultant, role=Role.CFO)
    services.engagement_set_ceiling(engagement=engagement, max_role=Role.VIEWER, by=acme_ceo.user)
    assert Membership.objects.get(engagement=engagement).role == Role.VIEWER


def test_a_consultant_cannot_approve_or_set_her_own_engagement(acme, acme_ceo, capfirm):
    consultant = make_member(capfirm, role=Role.CEO)
    engagement = make_engagement(client=acme, consultant=consultant, role=Role.ADMIN)  # Admin of Acme
    services.engagement_change_role(engagement=engagement, role=Role.CEO, by=consultant.user)
    with pytest.raises(ValidationError):
        services.engagement_set_ceiling(engagement=engagement, max_role=Role.ADMIN, by=consultant.user)
    with pytest.raises(ValidationError):
        services.engagement_approve(engagement=engagement, by=consultant.user)


def test_a_company_the_consultancy_creates_itself_is_reached_at_once(capfirm, firm_ceo):
    client_company = services.client_company_create(consultant=firm_ceo, name="Initech", role=Role.COO)
    assert Membership.objects.get(organization=client_company, user=firm_ceo.user).role == Role.COO
