"""`make demo` connects Atelier Bois Fin to the fake Salesforce (instead of HubSpot) and syncs its pipeline."""

from datetime import date

from accounts.demo import DemoContext, seed_people
from integrations import demo_salesforce
from integrations.fakes import salesforce as fakes
from integrations.models import Connection, Deal, Lead, SyncRun


def test_the_demo_connects_boisfin_to_salesforce_and_syncs_its_pipeline(db, settings, monkeypatch):
    fake = fakes.default_fake(seed=42)
    monkeypatch.setattr(fakes, "_default", fake)
    from integrations.http import _mounted

    monkeypatch.setattr("integrations.http._mounted", {k: v for k, v in _mounted.items() if "salesforce" not in k})
    ctx = DemoContext(today=date(2026, 11, 23), seed=42, log=lambda line: None)
    seed_people(ctx)

    demo_salesforce.seed(ctx)

    boisfin = ctx.companies["boisfin"]
    connection = Connection.objects.for_org(boisfin).get(provider="salesforce")
    assert connection.provider_account_id == fake.scenario.org_id
    run = SyncRun.objects.for_org(boisfin).get(connection=connection)
    assert run.state == SyncRun.State.DONE, run.errors
    deals = Deal.objects.for_org(boisfin)
    assert deals.count() == 60
    closed = deals.filter(is_closed=True)
    assert 0.15 <= closed.filter(is_won=True).count() / closed.count() <= 0.6
    assert deals.filter(is_closed=False, is_qualified=True).exists()
    assert Lead.objects.for_org(boisfin).filter(converted_on__isnull=False).count() == 60
