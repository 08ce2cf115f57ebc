"""End to end: a Pennylane sync hands its changed days to the engine, which recomputes the KPIs after the commit."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache

from integrations.services import connection_sync
from kpis.models import KpiPendingChange, KpiValue
from kpis.services import catalogue_install
from tests.integrations.conftest import book, fake, make_connection  # noqa: F401  (fixtures of the fake)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_sync_updates_the_revenue_after_its_commit(acme, fake, django_capture_on_commit_callbacks):  # noqa: F811
    catalogue_install(acme)
    with django_capture_on_commit_callbacks(execute=True):
        connection_sync(connection=make_connection(acme))
    revenue = KpiValue.objects.for_org(acme).filter(kpi__slug="revenue", grain="month", dimension_value="")
    # the fake book: 30 invoices of 100.00 excl. VAT, credited on 706000, all within the last 200 days
    assert sum(v.value or 0 for v in revenue) == D("3000")
    assert not KpiPendingChange.objects.for_org(acme).exists()
