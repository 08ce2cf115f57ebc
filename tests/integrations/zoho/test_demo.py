"""`make demo` connects Verre & Lin to the fake Zoho CRM on .eu through OAuth and syncs its pipeline."""

from datetime import date

from accounts.demo import DemoContext, seed_people
from integrations import demo_zoho
from integrations.fakes import zoho as zoho_fakes
from integrations.fakes.zoho import default_fake
from integrations.models import Connection, Deal, SyncRun


def test_the_demo_connects_verre_et_lin_to_zoho_on_the_eu_data_centre_and_syncs(db, monkeypatch):
    fake = default_fake(seed=42)
    monkeypatch.setattr(zoho_fakes, "_default", fake)  # what the in-process hosts answer with
    ctx = DemoContext(today=date.today(), seed=42, log=lambda line: None)
    seed_people(ctx)

    demo_zoho.seed(ctx)

    company = ctx.companies["verrelin"]
    connection = Connection.objects.for_org(company).get(provider="zoho")
    assert connection.provider_account_id == fake.scenario.org_id
    assert connection.credentials["api_domain"] == "http://zohoapis-eu.fake"
    run = SyncRun.objects.for_org(company).get(connection=connection)
    assert run.state == SyncRun.State.DONE, run.errors
    deals = Deal.objects.for_org(company)
    assert deals.count() == len(fake.scenario.live("Deals"))
    assert deals.filter(is_won=True).exists() and deals.filter(is_closed=True, is_won=False).exists()
    assert set(deals.values_list("currency", flat=True)) == {"EUR"}  # the Swiss deals converted
