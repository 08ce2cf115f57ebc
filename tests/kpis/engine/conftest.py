from datetime import date

import pytest

from kpis.models import Kpi, KpiValue
from kpis.periods import period_containing
from kpis.services import catalogue_install, kpi_values_recompute

TODAY = date(2026, 6, 15)


@pytest.fixture
def catalogue(acme):
    catalogue_install(acme)
    return acme


@pytest.fixture
def value_of():
    """value_of(org, slug, day, grain="month", dim="") → the materialised KpiValue (after a full recompute)."""
    computed = set()

    def get(org, slug, day, grain="month", dim=""):
        if org.pk not in computed:
            kpi_values_recompute(org=org, today=TODAY)
            computed.add(org.pk)
        p = period_containing(day, grain, org.fiscal_year_start_month)
        kpi = Kpi.objects.for_org(org).get(slug=slug)
        return KpiValue.objects.for_org(org).get(kpi=kpi, grain=grain, period_start=p.start, dimension_value=dim)

    return get
