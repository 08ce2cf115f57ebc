"""As the app role, the paths that run before an organization is known still work: login, the `/`
redirect, the org switcher (each reads the user's own memberships across tenants)."""

import pytest
from django.urls import reverse

from tests.conftest import url
from tests.factories import PASSWORD

pytestmark = pytest.mark.services


def test_login_then_home_redirects_to_the_users_organization(client, alice, as_app_role):
    with as_app_role():
        login = client.post(reverse("account_login"), {"login": alice.user.email, "password": PASSWORD})
        home = client.get("/")
        page = client.get(home["Location"])
    assert login.status_code == 302
    assert home["Location"] == url("accounts:org_home", org_slug="acme")
    assert page.status_code == 200


def test_the_org_switcher_lists_the_consultancy_and_its_client(client, carol, as_app_role):
    client.force_login(carol.user)
    with as_app_role():
        page = client.get(url("accounts:portfolio", org_slug="capfirm")).content.decode()
    switcher = page.split('data-testid="org-switcher"')[1].split("</details>")[0]
    assert "Acme" in switcher and "Cap Firm" in switcher


def test_another_tenants_page_is_still_404(client, alice, globex, as_app_role):
    client.force_login(alice.user)
    with as_app_role():
        assert client.get(url("accounts:org_home", org_slug="globex")).status_code == 404
