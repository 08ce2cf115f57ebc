"""`make demo` connects Verre & Lin to the fake Sage through the OAuth code and runs a first real sync: its
French chart is PCG already, so its SIG shows with nothing to map."""

from datetime import date

from accounts.demo import DemoContext, seed_people
from integrations import demo_sage
from integrations.fakes.sage_scenario import BUSINESS_ID
from integrations.models import Connection, Invoice, LedgerAccount, SyncRun
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute


def test_the_demo_connects_verre_et_lin_to_sage_and_its_sig_needs_no_mapping(db, settings):
    settings.INTEGRATIONS_REDIS_URL = ""
    today = date(2026, 11, 23)
    ctx = DemoContext(today=today, seed=42, log=lambda line: None)
    seed_people(ctx)

    demo_sage.seed(ctx)

    org = ctx.companies["verrelin"]
    connection = Connection.objects.for_org(org).get(provider="sage")
    assert connection.provider_account_id == BUSINESS_ID and connection.credentials["country"] == "FR"
    assert SyncRun.objects.for_org(org).get(connection=connection).state == SyncRun.State.DONE
    assert Invoice.objects.for_org(org).filter(kind="customer", is_void=False, is_credit_note=False).count() == 60
    assert not LedgerAccount.objects.for_org(org).exclude(classification="").exists()  # nothing to map
    catalogue_install(org)
    kpi_values_recompute(org=org, today=today)
    revenue = KpiValue.objects.for_org(org).filter(kpi__slug="revenue", grain="month", dimension_value="",
                                                   value__gt=0)
    assert revenue.count() >= 12
