"""The demo's Xero: Bois Fin UK Ltd, Atelier Bois Fin's English distributor, connected to the
fake Xero through the real OAuth code (consent, code exchange with HTTP Basic, the tenant read from
`/connections`) and synced once; its general ledger comes from the journals, one plain EXPENSE account
is left for the CFO to map, and its wages (OVERHEADS at Xero) are mapped to 62 until the CFO says 641."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from accounts.capabilities import Role
from accounts.demo import DemoContext
from integrations.fakes.xero import ORIGIN, default_instance
from integrations.fakes.xero_scenario import TENANT_ID, demo_tenant
from integrations.models import SyncRun


def seed(ctx: DemoContext) -> None:
    from integrations.oauth import oauth_complete
    from integrations.providers.xero import XeroOAuth
    from integrations.services import connection_sync

    if not settings.INTEGRATIONS_USE_FAKES or not settings.XERO_ENABLED or "boisfinuk" not in ctx.companies:
        ctx.log("  Xero: skipped (the demo only connects the fake Xero)")
        return
    org = ctx.companies["boisfinuk"]
    fake = default_instance()
    fake.tenants[TENANT_ID] = demo_tenant(today=ctx.today, invoices=60, last_invoice_days_ago=5)
    with override_settings(XERO_API_BASE_URL=ORIGIN, XERO_TOKEN_URL=f"{ORIGIN}/connect/token",
                           XERO_CLIENT_ID=fake.client_id, XERO_CLIENT_SECRET=fake.client_secret):
        app = XeroOAuth()
        # The admin clicked "Continue with Xero" and ticked the organisation on Xero's consent screen.
        code = fake.issue_code(redirect_uri=app.redirect_uri(), tenants=[TENANT_ID])
        connection = oauth_complete(app=app, org=org, code=code, extras={}, by=ctx.member("boisfinuk", Role.ADMIN))
        run = connection_sync(connection=connection, full=True, trigger=SyncRun.Trigger.DEMO)
    ctx.log(f"  Xero → {org.name}: {run.get_state_display().lower()}, {run.total('created')} records")
