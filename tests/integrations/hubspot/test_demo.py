"""`make demo` connects Nuage Analytics to the fake HubSpot and runs a first real sync."""

from datetime import date

from accounts.demo import DemoContext, seed_people
from integrations import demo_hubspot
from integrations.fakes.hubspot import default_fake
from integrations.http import mount_transport
from integrations.models import Connection, Deal, RejectedRecord, SyncRun


def test_the_demo_connects_nuage_to_hubspot_and_syncs_its_pipeline(db, settings):
    fake = default_fake(seed=42, today=date(2026, 11, 23))
    assert fake.limits.search_per_second == 4  # the served fake enforces HubSpot's search limit…
    settings.HUBSPOT_SEARCH_RATE_LIMIT = (4, 1)  # …and the connector's shipped budget keeps to it
    mount_transport(settings.HUBSPOT_API_BASE_URL, fake.transport())
    ctx = DemoContext(today=date(2026, 11, 23), seed=42, log=lambda line: None)
    seed_people(ctx)
    try:
        demo_hubspot.seed(ctx)
    finally:
        mount_transport(settings.HUBSPOT_API_BASE_URL, None)

    nuage = ctx.companies["nuage"]
    connection = Connection.objects.for_org(nuage).get(provider="hubspot")
    assert connection.provider_account_id == str(fake.scenario.hub_id)
    run = SyncRun.objects.for_org(nuage).get(connection=connection)
    assert run.state == SyncRun.State.DONE
    deals = Deal.objects.for_org(nuage)
    assert deals.count() == len(fake.scenario.live("deals")) - 2  # the two malformed deals are refused
    assert RejectedRecord.objects.for_org(nuage).filter(sync_run=run).count() == 2
    closed = deals.filter(is_closed=True, pipeline="Sales Pipeline")
    win_rate = closed.filter(is_won=True).count() / closed.count()
    assert 0.2 <= win_rate <= 0.3
    assert deals.filter(is_closed=False, is_qualified=True, close_date__gt=date(2026, 11, 23)).count() >= 20
