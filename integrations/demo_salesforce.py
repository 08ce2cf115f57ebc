"""The demo's Salesforce: Atelier Bois Fin's CRM (the fake, in-process) instead of HubSpot, connected as
the OAuth callback connects it (tokens from the fake's token endpoint, production login), and a first
sync run through the real connector code (integrations/demo.py calls `seed`)."""

from __future__ import annotations

import time

from django.conf import settings

from accounts.demo import DemoContext
from integrations.fakes.salesforce import default_instance
from integrations.models import SyncRun


def seed(ctx: DemoContext) -> None:
    from integrations.services import connection_connect, connection_sync

    if not settings.INTEGRATIONS_USE_FAKES or not settings.SALESFORCE_ENABLED:
        ctx.log("  Salesforce: skipped (the demo only connects the fake Salesforce)")
        return
    org = ctx.companies["boisfin"]
    fake = default_instance()
    tokens = fake.issue_tokens()
    credentials = {"auth": "oauth", "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                   "expires_at": time.time() + settings.SALESFORCE_SESSION_SECONDS, "scopes": tokens["scope"].split(),
                   "instance_url": tokens["instance_url"], "login_host": "production"}
    connection = connection_connect(org=org, provider="salesforce", credentials=credentials,
                                    by=ctx.member("boisfin", "admin"), label="Salesforce (Atelier Bois Fin)")
    run = connection_sync(connection=connection, trigger=SyncRun.Trigger.DEMO)
    counts = ", ".join(f"{model} {c.get('created', 0)}" for model, c in sorted(run.counts.items()))
    ctx.log(f"  Salesforce → {org.name}: {run.get_state_display().lower()} ({counts}; "
            f"{run.total('rejected')} rejected)")
