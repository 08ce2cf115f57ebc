"""The demo's Zoho CRM: Verre & Lin's CRM on the .eu data centre (the fake, in-process), connected
through the real OAuth code path (the admin "accepted" on Zoho's consent screen) and synced once."""

from __future__ import annotations

from django.conf import settings

from accounts.capabilities import Role
from accounts.demo import DemoContext
from integrations.models import SyncRun


def seed(ctx: DemoContext) -> None:
    from integrations.fakes.zoho import default_instance
    from integrations.oauth import oauth_complete
    from integrations.providers.zoho import ZohoOAuth
    from integrations.services import connection_sync

    if not settings.INTEGRATIONS_USE_FAKES or not settings.ZOHO_ENABLED:
        ctx.log("  Zoho CRM: skipped (the demo only connects the fake Zoho CRM)")
        return
    org = ctx.companies["verrelin"]  # Atelier Bois Fin is on Salesforce
    fake = default_instance()
    app = ZohoOAuth("eu")
    code = fake.issue_code(redirect_uri=app.redirect_uri())
    connection = oauth_complete(app=app, org=org, code=code, by=ctx.member("verrelin", Role.ADMIN),
                                extras={"location": "eu", "accounts-server": fake.accounts_server()})
    run = connection_sync(connection=connection, full=True, trigger=SyncRun.Trigger.DEMO)
    ctx.log(f"  Zoho CRM (.eu) → {org.name}: {run.get_state_display().lower()}, {run.total('created')} records")
