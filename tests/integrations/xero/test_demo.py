"""The demo's Xero step: Bois Fin UK Ltd is connected to the fake Xero through the OAuth code
and synced; its ledger books a real P&L through the PCG mapping, with one account left for the CFO."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.capabilities import Role
from accounts.demo import COMPANIES, DemoContext
from integrations.demo_xero import seed
from integrations.fakes.xero_scenario import TENANT_ID
from integrations.models import Connection, Invoice, LedgerAccount, LedgerLine, SyncRun
from tests.factories import make_member, make_org


@pytest.fixture
def ctx(db, settings):
    settings.INTEGRATIONS_REDIS_URL = ""
    org = make_org(name=COMPANIES["boisfinuk"]["name"])
    context = DemoContext(today=date.today(), seed=1, log=lambda _line: None)
    context.companies["boisfinuk"] = org
    context.members[("boisfinuk", Role.ADMIN)] = make_member(org, role=Role.ADMIN)
    return context


def test_the_demo_connects_bois_fin_distribution_to_xero_and_books_its_sales(ctx):
    seed(ctx)

    org = ctx.companies["boisfinuk"]
    connection = Connection.objects.for_org(org).get(provider="xero")
    assert connection.provider_account_id == TENANT_ID
    assert SyncRun.objects.for_org(org).get(connection=connection).state == SyncRun.State.DONE
    assert Invoice.objects.for_org(org).filter(kind="customer", is_void=False, is_credit_note=False).count() == 60
    sales = sum(line.credit - line.debit for line in LedgerLine.objects.for_org(org).filter(account_number="707"))
    assert sales > Decimal(100000)
    assert [a.number for a in LedgerAccount.objects.for_org(org) if not a.pcg_number and a.ledgerline_set.exists()] \
        == ["429"]
