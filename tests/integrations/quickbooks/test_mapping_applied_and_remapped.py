"""QuickBooks' chart onto the PCG: the CFO's mapping page, re-mapping and a later sync (tests/integrations/
ledger_mapping_contract.py), on the fake company's books."""

import pytest

from integrations.services import connection_sync
from tests.integrations.ledger_mapping_contract import Books, LedgerMappingContract


@pytest.fixture
def synced(acme, qbo):
    connection_sync(connection=qbo)
    return qbo


@pytest.fixture
def books(qbo_fake):
    return Books(source="quickbooks", classification_shown="Income/SalesOfProductIncome",
                 sundry={"external_id": "84"}, sales={"external_id": "79"},
                 rename_sales=lambda name: qbo_fake.company.touch("Account", "79", Name=name))


class TestQuickBooksLedgerMapping(LedgerMappingContract):
    pass
