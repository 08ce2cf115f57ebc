"""This app's part of the demo story (see accounts/demo.py).

Each demo company is connected to the in-process fake Pennylane and synced once through the
real connector code (Lumen and Nuage with their own company tokens; Atelier Bois Fin through
Cap & Route Conseil's firm token, mapped to it). What no provider sends (Maison Lumen's orders,
returns, marketing spend and capacity, Atelier Bois Fin's production) comes in as files: imports/demo.py.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.test import override_settings

from accounts.capabilities import Role
from accounts.demo import DemoContext
from integrations.fakes.pennylane import default_fake
from integrations.fakes.scenario import COMPANIES, FIRM_TOKEN
from integrations.models import Connection, SyncRun
from integrations.services import connection_connect, connection_sync, firm_company_map


def seed(ctx: DemoContext) -> None:
    fake = default_fake()
    budget = fake.rate_limit
    fake.rate_limit = (100_000, 1.0)  # the demo's first syncs are not the place to watch a rate limit
    fake.firm_rate_limit = (100_000, 1.0)
    try:
        with override_settings(PENNYLANE_RATE_LIMIT=(100_000, 1), PENNYLANE_FIRM_RATE_LIMIT=(100_000, 1),
                               PENNYLANE_API_BASE_URL=_fake_url(settings.PENNYLANE_API_BASE_URL),
                               PENNYLANE_FIRM_API_BASE_URL=_fake_url(settings.PENNYLANE_FIRM_API_BASE_URL)):
            _connect_and_sync(ctx)
    finally:
        fake.rate_limit = budget
        fake.firm_rate_limit = (4, 1.0)
    for module in ("integrations.demo_hubspot", "integrations.demo_quickbooks", "integrations.demo_sage",
                   "integrations.demo_xero", "integrations.demo_salesforce", "integrations.demo_zoho"):
        if find_spec(module) is not None:
            import_module(module).seed(ctx)


def _fake_url(configured: str) -> str:
    # The demo always talks to the in-process fake, even where real provider URLs are configured.
    return configured if "pennylane.fake" in configured else configured.replace(
        configured.split("/api/")[0], "http://pennylane.fake")


def _connect_and_sync(ctx: DemoContext) -> None:
    for key in ("lumen", "nuage"):
        org = ctx.companies[key]
        company_id, name, _builder, token = COMPANIES[key]
        connection = connection_connect(org=org, provider="pennylane", credentials={"token": token},
                                        by=ctx.member(key, Role.ADMIN), label=f"Pennylane — {name}")
        run = connection_sync(connection=connection, full=True, trigger=SyncRun.Trigger.DEMO)
        ctx.log(f"  Pennylane → {org.name}: {run.get_state_display()}, {run.total('created')} records, "
                f"{run.total('rejected')} rejected")
    firm = connection_connect(org=ctx.consultancy, provider="pennylane_firm", credentials={"token": FIRM_TOKEN},
                              by=ctx.consultant, label="Pennylane — cabinet Cap & Route")
    boisfin = ctx.companies["boisfin"]
    child = firm_company_map(firm=firm, company_id=str(COMPANIES["boisfin"][0]), client=boisfin, by=ctx.consultant)
    run = connection_sync(connection=child, full=True, trigger=SyncRun.Trigger.DEMO)
    ctx.log(f"  Pennylane (firm) → {boisfin.name}: {run.get_state_display()}, {run.total('created')} records")
    # Keep the connections' clocks honest: the beat will sync them again after their interval.
    Connection.objects.filter(pk__in=[firm.pk, child.pk]).update(sync_interval=60)  # scoped: the demo's own rows
