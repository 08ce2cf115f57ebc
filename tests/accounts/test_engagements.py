from accounts.capabilities import Role
from accounts.models import Membership
from tests.conftest import url
from tests.factories import make_member


def test_consultant_reaches_the_client_she_is_engaged_on_with_the_engagement_role(client, carol):
    client.force_login(carol.user)
    response = client.get(url("accounts:org_home", org_slug="acme"))
    assert response.status_code == 200
    assert response.wsgi_request.membership.role == Role.COO


def test_consultant_does_not_reach_a_company_she_is_not_engaged_on(client, carol, globex):
    client.force_login(carol.user)
    assert client.get(url("accounts:org_home", org_slug="globex")).status_code == 404


def test_org_switcher_lists_the_consultancy_and_every_client(client, carol, capfirm, globex):
    firm_membership = Membership.objects.get(organization=capfirm, user=carol.user)
    from tests.factories import make_engagement

    make_engagement(client=globex, consultant=firm_membership, role=Role.CFO)
    client.force_login(carol.user)

    page = client.get(url("accounts:portfolio", org_slug="capfirm")).content.decode()

    switcher = page.split('data-testid="org-switcher"')[1].split("</details>")[0]
    assert "Acme" in switcher and "Globex" in switcher and "Cap Firm" in switcher


def test_ending_an_engagement_removes_access_at_once(client, carol, capfirm):
    boss = make_member(capfirm, role=Role.CEO)
    client.force_login(carol.user)
    assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 200

    client.force_login(boss.user)
    client.post(url("accounts:engagement_end", org_slug="capfirm", engagement_id=carol.engagement_id))

    client.force_login(carol.user)
    assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 404


def test_the_client_company_can_end_an_engagement_too(client, carol, acme_ceo):
    client.force_login(acme_ceo.user)
    client.post(url("accounts:engagement_end", org_slug="acme", engagement_id=carol.engagement_id))
    assert not Membership.objects.filter(pk=carol.pk).exists()


def test_removing_the_consultant_from_her_firm_removes_her_client_access(client, carol, capfirm):
    Membership.objects.filter(organization=capfirm, user=carol.user).delete()
    client.force_login(carol.user)
    assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 404


def test_portfolio_lists_the_consultants_clients(client, carol):
    client.force_login(carol.user)
    page = client.get(url("accounts:portfolio", org_slug="capfirm")).content.decode()
    assert "Acme" in page


def test_a_company_has_no_portfolio(client, acme_ceo):
    client.force_login(acme_ceo.user)
    assert client.get(url("accounts:portfolio", org_slug="acme")).status_code == 404


def test_consultancy_onboards_a_new_client_and_reaches_it(client, capfirm):
    boss = make_member(capfirm, role=Role.CEO)
    client.force_login(boss.user)
    client.post(url("accounts:client_create", org_slug="capfirm"), {"name": "Initech", "trade": "", "role": "cfo"})
    membership = Membership.objects.get(user=boss.user, organization__name="Initech")
    assert membership.role == Role.CFO and membership.is_consultant
