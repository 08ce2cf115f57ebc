"""The foundation's 'done when', in a real browser: a consultant switches clients; a CEO invites a CFO."""

import re

import pytest
from django.core import mail

from accounts.capabilities import Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_consultancy, make_engagement, make_member, make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consultant_switches_between_two_client_companies(page):
    firm = make_consultancy(name="Cap & Route Conseil", slug="cap-route")
    consultant = make_member(firm, role=Role.COO, email="olivier@caproute.test")
    lumen, nuage = make_org(name="Maison Lumen", slug="lumen"), make_org(name="Nuage Analytics", slug="nuage")
    make_engagement(client=lumen, consultant=consultant, role=Role.COO)
    make_engagement(client=nuage, consultant=consultant, role=Role.CFO)

    log_in(page, "olivier@caproute.test", PASSWORD)
    page.wait_for_url(re.compile(r"/o/cap-route/clients/"))  # the portfolio is a consultancy's home
    page.click("[data-testid=org-switcher] summary")
    page.click("[data-testid=org-switcher] >> text=Maison Lumen")
    page.wait_for_url(re.compile(r"/o/lumen/"))
    assert page.locator("h1").inner_text() == "Maison Lumen"
    assert "You act here as COO" in page.content()

    page.click("[data-testid=org-switcher] summary")
    page.click("[data-testid=org-switcher] >> text=Nuage Analytics")
    page.wait_for_url(re.compile(r"/o/nuage/"))
    assert "You act here as CFO" in page.content()


def test_ceo_invites_a_cfo_who_accepts(page, browser, live_server, settings):
    settings.SITE_URL = live_server.url
    acme = make_org(name="Acme", slug="acme")
    make_member(acme, role=Role.CEO, email="ceo@acme.test")

    log_in(page, "ceo@acme.test", PASSWORD)
    page.goto("/o/acme/members/")
    page.fill("input[name=email]", "cfo@acme.test")
    page.select_option("select[name=role]", Role.CFO)
    page.click("text=Send invitation")
    assert "Invitation sent to cfo@acme.test" in page.content()

    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    invitee = browser.new_context(base_url=live_server.url).new_page()
    invitee.goto(link)
    invitee.click("text=Create my account")
    invitee.fill("input[name=full_name]", "Nadia Cfo")
    invitee.fill("input[name=email]", "cfo@acme.test")
    invitee.fill("input[name=password1]", "a-long-enough-passphrase")
    invitee.fill("input[name=password2]", "a-long-enough-passphrase")
    invitee.click("button[type=submit]")
    invitee.wait_for_url(re.compile(r"/invitations/"))
    invitee.click("text=Accept the invitation")
    invitee.wait_for_url(re.compile(r"/o/acme/"))
    assert "You act here as CFO" in invitee.content()
