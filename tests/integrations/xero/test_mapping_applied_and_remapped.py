"""Xero's chart onto the PCG: the CFO's mapping page, re-mapping and a later sync (tests/integrations/
ledger_mapping_contract.py), on the fake organisation's books."""

import pytest

from integrations.models import LedgerAccount
from integrations.services import connection_sync
from tests.integrations.ledger_mapping_contract import Books, LedgerMappingContract


@pytest.fixture
def synced(acme, xero):
    connection_sync(connection=xero)
    return xero


@pytest.fixture
def books(acme, xero_fake):
    def rename_sales(name):
        sales = LedgerAccount.objects.for_org(acme).get(number="200")
        xero_fake.tenant.touch("Accounts", sales.external_id, Name=name)

    return Books(source="xero", classification_shown="REVENUE/SALES", sundry={"number": "429"},
                 sales={"number": "200"}, rename_sales=rename_sales)


class TestXeroLedgerMapping(LedgerMappingContract):
    pass
