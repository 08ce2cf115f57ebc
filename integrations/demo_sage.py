"""The demo's Sage: Verre & Lin, a French client of the consultancy keeping its books in Sage Comptabilité
(Sage Business Cloud Accounting, French edition: a PCG chart), connected to the fake Sage through the real
OAuth code (consent, code exchange, the user's business from /businesses) and synced once."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from accounts.capabilities import Role
from accounts.demo import DemoContext
from integrations.fakes.sage import default_instance
from integrations.fakes.sage_scenario import BUSINESS_ID, demo_business
from integrations.models import SyncRun


def seed(ctx: DemoContext) -> None:
    from integrations.oauth import oauth_complete
    from integrations.providers.sage import SageOAuth
    from integrations.services import connection_sync

    if not settings.INTEGRATIONS_USE_FAKES or not settings.SAGE_ENABLED:
        ctx.log("  Sage: skipped (the demo only connects the fake Sage)")
        return
    org = ctx.companies["verrelin"]
    fake = default_instance()
    fake.businesses[BUSINESS_ID] = demo_business(today=ctx.today, invoices=60, last_invoice_days_ago=5)
    with override_settings(SAGE_API_BASE_URL="http://sage.fake/v3.1", SAGE_TOKEN_URL="http://sage.fake/token",
                           SAGE_CLIENT_ID=fake.client_id, SAGE_CLIENT_SECRET=fake.client_secret,
                           SAGE_RATE_LIMIT=(100_000, 60)):
        app = SageOAuth()
        code = fake.issue_code(redirect_uri=app.redirect_uri())  # the admin clicked "Connect" and consented
        connection = oauth_complete(app=app, org=org, code=code, extras={"country": "fr"},
                                    by=ctx.member("verrelin", Role.ADMIN))
        run = connection_sync(connection=connection, full=True, trigger=SyncRun.Trigger.DEMO)
    ctx.log(f"  Sage → {org.name}: {run.get_state_display().lower()}, {run.total('created')} records")
