"""The demo's QuickBooks: Lumen Home Ltd, Maison Lumen's English subsidiary, connected to the fake
QuickBooks Online through the real OAuth code (consent, code exchange with HTTP Basic, realmId from
the callback) and synced once; one account of a type with no default PCG class is left for the CFO. Its books
(`quickbooks_scenario.demo_company`) hold two credit memos applied to open invoices, bills paid by BillPayments
(cheque and company card), a bank Deposit and Purchases by cheque, cash and card, and a sales receipt and a
card settlement only the GeneralLedger report shows, so sales, receipts and cash all read QuickBooks. It also
sells stock to its parent, Maison Lumen, every month: the intercompany customer of Groupe Lumen (portfolio/demo.py)."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from accounts.capabilities import Role
from accounts.demo import DemoContext
from integrations.fakes.quickbooks import default_instance
from integrations.fakes.quickbooks_scenario import (
    REALM_ID,
    add_monthly_goods_purchases,
    add_sales_to_the_parent,
    demo_company,
)
from integrations.mapping import ledger_account_remap
from integrations.models import LedgerAccount, SyncRun


def seed(ctx: DemoContext) -> None:
    from integrations.oauth import oauth_complete
    from integrations.providers.quickbooks import QuickBooksOAuth
    from integrations.services import connection_sync

    if not settings.INTEGRATIONS_USE_FAKES or not settings.QUICKBOOKS_ENABLED:
        ctx.log("  QuickBooks: skipped (the demo only connects the fake QuickBooks)")
        return
    org = ctx.companies["lumenuk"]
    fake = default_instance()
    company = demo_company(today=ctx.today, invoices=60, last_invoice_days_ago=5)
    add_sales_to_the_parent(company, today=ctx.today)  # UK stock re-sold to Maison Lumen: intercompany
    add_monthly_goods_purchases(company, today=ctx.today)  # a distributor's margin, not the 98 % of sales alone
    fake.companies[REALM_ID] = company
    with override_settings(QUICKBOOKS_API_BASE_URL="http://quickbooks.fake",
                           QUICKBOOKS_TOKEN_URL="http://quickbooks.fake/oauth2/v1/tokens/bearer",
                           QUICKBOOKS_CLIENT_ID=fake.client_id, QUICKBOOKS_CLIENT_SECRET=fake.client_secret):
        app = QuickBooksOAuth()
        code = fake.issue_code(realm_id=REALM_ID, redirect_uri=app.redirect_uri())  # the admin clicked "Connect"
        connection = oauth_complete(app=app, org=org, code=code, extras={"realmId": REALM_ID},
                                    by=ctx.member("lumenuk", Role.ADMIN))
        run = connection_sync(connection=connection, full=True, trigger=SyncRun.Trigger.DEMO)
    ctx.log(f"  QuickBooks → {org.name}: {run.get_state_display().lower()}, {run.total('created')} records")
    # QuickBooks files its stock under "Supplies & materials - COGS", which reads as raw materials (601); a
    # distributor buys goods for resale, so its CFO counts that account as 607 and the commercial margin is real.
    cogs = LedgerAccount.objects.for_org(org).get(number="5000")
    ledger_account_remap(account=cogs, pcg_number="607", by=ctx.member("lumenuk", Role.CFO))
    ctx.log(f"  QuickBooks → {org.name}: the CFO maps {cogs.number} {cogs.label} to 607 (goods for resale)")
