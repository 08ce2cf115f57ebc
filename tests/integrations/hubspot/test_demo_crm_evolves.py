"""The demo's CRM lives on: every few minutes a lead arrives and an open deal moves a stage,
so "Sync now" in the demo shows real changes."""

import time

from integrations.models import Lead
from integrations.services import connection_sync


def test_each_step_brings_a_new_lead_that_the_next_sync_stores(acme, hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)
    stages_before = {d.id: d.props["dealstage"] for d in hubspot_fake.scenario.live("deals")}

    hubspot_fake.evolve_every = 60
    hubspot_fake._evolved_at = time.time() - 125  # two steps are due
    assert hubspot_fake.tick() == 2  # (the fake also ticks on every request it answers)
    run = connection_sync(connection=hubspot_connection)

    assert run.counts["lead"]["created"] == 2
    assert Lead.objects.for_org(acme).count() == 4
    moved = [d for d in hubspot_fake.scenario.live("deals") if d.props["dealstage"] != stages_before[d.id]]
    assert len(moved) >= 1  # the open deals in Acme's CRM moved on (a closed one never does)
    assert run.counts["deal"]["updated"] == len(moved)
