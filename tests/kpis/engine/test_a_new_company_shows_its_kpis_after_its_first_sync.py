"""End to end, as a real user: sign up → create the company with a pack → connect the Pennylane fake → the
first sync → KPI values exist and the home shows tiles."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Organization
from integrations.models import SyncRun
from kpis.models import KpiValue
from tests.integrations.conftest import TOKEN, book, fake  # noqa: F401  (fixtures of the fake)

PASSWORD = "a-long-enough-passphrase"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_company_created_at_sign_up_shows_its_kpis_after_the_first_sync(
        client, db, fake, django_capture_on_commit_callbacks):  # noqa: F811
    signup = client.post(reverse("account_signup"), {"full_name": "Jeanne Martin", "email": "jeanne@azur.test",
                                                     "password1": PASSWORD, "password2": PASSWORD})
    assert signup.status_code == 302
    created = client.post(reverse("companies:company_create"),
                          {"name": "Conseil Azur", "packs": ["saas"], "fiscal_year_start_month": "1"})
    org = Organization.objects.get(name="Conseil Azur")
    assert created["Location"] == f"/o/{org.slug}/"

    connect = reverse("integrations:connection_connect", kwargs={"org_slug": org.slug}) + "?provider=pennylane"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(connect, {"provider": "pennylane", "token": TOKEN})
    assert SyncRun.objects.for_org(org).get().state == SyncRun.State.DONE

    values = KpiValue.objects.for_org(org).filter(grain="month", dimension_value="", value__isnull=False)
    assert values.filter(kpi__slug="revenue").exists()
    home = client.get(reverse("accounts:org_home", kwargs={"org_slug": org.slug})).content.decode()
    tiles = [chunk.split('"', 1)[0] for chunk in home.split('data-widget="kpi_tile" data-kpi="')[1:]]
    assert "revenue" in tiles and len(tiles) >= 3
    assert 'class="no-value"' not in home
