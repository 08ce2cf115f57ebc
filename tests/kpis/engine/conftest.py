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
    """value_of(org, slug, day, grain="month", dim="") → the materialised KpiValue of the period containing day.

    Computes the KPI (only it, every period up to TODAY) the first time it is asked for.
    """
    computed = set()

    def get(org, slug, day, grain="month", dim=""):
        if (org.pk, slug) not in computed:
            kpi_values_recompute(org=org, kpi_slugs={slug}, include_dependents=False, today=TODAY)
            computed.add((org.pk, slug))
        p = period_containing(day, grain, org.fiscal_year_start_month)
        kpi = Kpi.objects.for_org(org).get(slug=slug)
        return KpiValue.objects.for_org(org).get(
            kpi=kpi, grain=grain, period_start=p.start, dimension_value=dim
        )

    return get


def value(org, value_of, slug, day, **kw):
    return value_of(org, slug, day, **kw).value
