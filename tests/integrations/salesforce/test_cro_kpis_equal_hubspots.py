"""The CRO's KPIs need no Salesforce case: the same deals and leads synced from Salesforce's fake and
from HubSpot's give the same win rate, average deal, sales cycle, lead conversion and pipeline coverage."""

from datetime import date
from decimal import Decimal

import pytest

from integrations.fakes.hubspot import HubSpotFake, Limits
from integrations.http import mount_transport
from integrations.models import Connection, SyncRun
from integrations.services import connection_sync
from kpis.models import Kpi, KpiValue
from kpis.periods import period_containing
from kpis.services import catalogue_install, kpi_target_set, kpi_values_recompute
from tests.factories import make_org
from tests.integrations.hubspot.conftest import TOKEN, acme_crm
from tests.integrations.salesforce.conftest import connection_to

TODAY = date(2026, 12, 31)
SLUGS = ("win_rate", "average_deal_size", "sales_cycle", "lead_conversion_rate", "pipeline_coverage", "leads_count")
MONTHS = (date(2026, 1, 15), date(2026, 3, 15), date(2026, 5, 15), date(2026, 12, 15))


@pytest.fixture
def hubspot_org(settings):
    fake = HubSpotFake(scenario=acme_crm(), limits=Limits(ten_secondly=None))
    fake.add_private_token(TOKEN)
    settings.HUBSPOT_SEARCH_INDEX_LAG_SECONDS = 0
    mount_transport(settings.HUBSPOT_API_BASE_URL, fake.transport())
    org = make_org()
    connection = Connection.objects.create(organization=org, provider="hubspot", credentials={"token": TOKEN},
                                           provider_account_id=str(fake.scenario.hub_id), label="HubSpot")
    assert connection_sync(connection=connection).state == SyncRun.State.DONE
    mount_transport(settings.HUBSPOT_API_BASE_URL, None)
    return org


def _values(org) -> dict:
    catalogue_install(org)
    revenue = Kpi.objects.for_org(org).get(slug="revenue")
    for month in MONTHS:
        kpi_target_set(kpi=revenue, by=None, grain="month", period_start=month.replace(day=1), value=Decimal("20000"))
    kpi_values_recompute(org=org, kpi_slugs=set(SLUGS), include_dependents=False, today=TODAY)
    out = {}
    for slug in SLUGS:
        kpi = Kpi.objects.for_org(org).get(slug=slug)
        for month in MONTHS:
            period = period_containing(month, "month", org.fiscal_year_start_month)
            row = KpiValue.objects.for_org(org).filter(kpi=kpi, grain="month", period_start=period.start,
                                                       dimension_value="").first()
            out[(slug, month.month)] = row.value if row else None
    return out


def test_salesforce_and_hubspot_give_the_cro_the_same_numbers(acme, salesforce_connection, hubspot_org):
    assert connection_sync(connection=salesforce_connection).state == SyncRun.State.DONE

    from_salesforce, from_hubspot = _values(acme), _values(hubspot_org)

    assert from_salesforce == from_hubspot
    assert from_salesforce[("win_rate", 3)] == Decimal("100")  # the one deal closed in March was won
    assert from_salesforce[("average_deal_size", 3)] == Decimal("12000")
    assert sum(1 for v in from_salesforce.values() if v is not None) >= 6  # not a comparison of empty results
