"""What a consultant sees of a client follows the client's catalogue as it is now: the visibility worked out once
per catalogue is never served for a catalogue that has changed since."""

import pytest

from accounts.capabilities import Role
from portfolio.clients import reading_clients
from tests.portfolio.helpers import client_of, consultant_of, kpi

pytestmark = pytest.mark.django_db


def _sees(member, slug):
    with reading_clients(member) as clients:
        return [c.may_see(slug) for c in clients]


def test_a_kpi_hidden_from_the_consultants_role_after_a_first_read_is_hidden_on_the_next(capfirm):
    olivier = consultant_of(capfirm)
    client = client_of(olivier, role=Role.COO)
    revenue = kpi(client, "revenue")
    assert _sees(olivier, "revenue") == [True]

    revenue.visibility_capability = "kpis.view_costs"  # a COO does not see costs
    revenue.save()

    assert _sees(olivier, "revenue") == [False]


def test_two_clients_with_the_same_catalogue_each_keep_their_own_kpi_ids(capfirm):
    olivier = consultant_of(capfirm)
    first, second = client_of(olivier, name="A"), client_of(olivier, name="B")
    ids = {kpi(first, "revenue").pk, kpi(second, "revenue").pk}
    with reading_clients(olivier) as clients:
        assert {c.visibility.kpi_ids["revenue"] for c in clients} == ids
