"""Every API list caps `?limit=` (API_MAX_PAGE_SIZE); a number too large for the database is not a 500."""

import pytest
from django.utils import timezone

from config.limits import API_MAX_PAGE_SIZE
from objectives.models import CheckIn
from tests.isolation_registry import url_kwarg_factories
from tests.objectives.helpers import make_objective

API = "/api/v1/orgs/acme"
LISTS = ["members", "connections", "sync-runs", "kpis", "objectives", "key-results", "action-plans", "check-ins"]
HUGE = "99999999999999999999"


@pytest.fixture
def one_row_in_each_list(acme):
    """An empty list never reaches the database's LIMIT; each list gets a row (the walkers' factories)."""
    factories = url_kwarg_factories()
    for model in ("integrations.syncrun", "kpis.kpi", "objectives.keyresult", "objectives.actionplan",
                  "objectives.checkin"):
        key = next(k for k in factories if k.endswith(f"@{model}"))
        factories[key](acme)


@pytest.mark.parametrize("name", LISTS)
def test_a_huge_limit_or_offset_is_a_bounded_page(client, acme_ceo, one_row_in_each_list, name):
    client.force_login(acme_ceo.user)
    assert client.get(f"{API}/{name}/?limit={HUGE}").status_code == 200
    response = client.get(f"{API}/{name}/?offset={HUGE}")
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_page_holds_at_most_the_cap(client, acme, acme_ceo):
    objective = make_objective(acme, owner=acme_ceo)
    CheckIn.objects.bulk_create(
        CheckIn(organization=acme, objective=objective, author=acme_ceo, date=timezone.localdate(),
                confidence="on_track") for _ in range(API_MAX_PAGE_SIZE + 5))
    client.force_login(acme_ceo.user)
    page = client.get(f"{API}/check-ins/?limit={HUGE}").json()
    assert page["count"] == API_MAX_PAGE_SIZE + 5
    assert len(page["results"]) == API_MAX_PAGE_SIZE
    assert f"limit={API_MAX_PAGE_SIZE}" in page["next"]


def test_the_schema_documents_the_cap(client, acme_ceo):
    client.force_login(acme_ceo.user)
    schema = client.get("/api/schema/?format=json").json()
    limit = next(p for p in schema["paths"]["/api/v1/orgs/{org_slug}/objectives/"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"]["maximum"] == API_MAX_PAGE_SIZE
