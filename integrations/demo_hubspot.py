"""The demo's HubSpot: Nuage Analytics' CRM (the fake, in-process) connected with a private-app
token, and a first sync run through the real connector code (integrations/demo.py calls `seed`)."""

from __future__ import annotations

from django.conf import settings

from accounts.demo import DemoContext
from integrations.fakes.hubspot import DEMO_TOKEN
from integrations.models import SyncRun


def seed(ctx: DemoContext) -> None:
    from integrations.services import connection_connect, connection_sync

    if not settings.INTEGRATIONS_USE_FAKES or not settings.HUBSPOT_ENABLED:
        ctx.log("  HubSpot: skipped (the demo only connects the fake HubSpot)")
        return
    org = ctx.companies["nuage"]
    connection = connection_connect(org=org, provider="hubspot", credentials={"token": DEMO_TOKEN},
                                    by=ctx.member("nuage", "admin"), label="HubSpot (Nuage Analytics)")
    run = connection_sync(connection=connection, trigger=SyncRun.Trigger.DEMO)
    counts = ", ".join(f"{model} {c.get('created', 0)}" for model, c in sorted(run.counts.items()))
    ctx.log(f"  HubSpot → {org.name}: {run.get_state_display().lower()} ({counts}; "
            f"{run.total('rejected')} rejected)")
