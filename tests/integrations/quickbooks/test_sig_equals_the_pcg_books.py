"""The SIG chain computed from the QuickBooks company, through the default PCG mapping and the CFO's
one re-mapping, equals the same books kept natively in PCG accounts as Pennylane sends them."""

from datetime import date
from decimal import Decimal

from integrations.base import Record
from integrations.fakes.quickbooks_scenario import demo_company
from integrations.mapping import ledger_account_remap
from integrations.models import LedgerAccount
from integrations.services import connection_sync, records_upsert
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute

SIG = ["revenue", "commercial_margin", "value_added", "ebe", "operating_result", "current_result", "net_result"]
# The same books, account by account, as a French bookkeeper would have kept them in PCG numbers.
PCG_OF = {"79": "707000", "80": "706000", "81": "601000", "82": "613000", "83": "641000", "84": "620000",
          "35": "512000", "36": "411000", "33": "401000", "qbo-tax": "445710", "41": "512100", "4": "511000",
          "85": "606000", "86": "768000", "37": "445710"}


def _pcg_books(company) -> list[Record]:
    """The fake company's documents posted straight into PCG accounts (no mapping involved)."""
    from integrations.providers.quickbooks.mapping import ledger_lines

    records = [Record(model="ledgeraccount", external_id=n, fields={"number": n, "label": n}) for n in set(PCG_OF.values())]
    for entity in ("Invoice", "CreditMemo", "Payment", "Bill", "BillPayment", "Deposit", "Purchase", "JournalEntry"):
        for doc in company.objects[entity].values():
            for line in ledger_lines(entity, doc, receivable="36", payable="33", undeposited="4"):
                number = PCG_OF[line.fields["account_external_id"]]
                fields = {**line.fields, "account_external_id": number, "account_number": number}
                records.append(Record(model="ledgerline", external_id=line.external_id, fields=fields))
    for txn in company.other_postings:  # what only the GeneralLedger report carries
        for n, (account, debit, credit) in enumerate(txn["Lines"]):
            number = PCG_OF[account]
            records.append(Record(model="ledgerline", external_id=f"GL:{txn['Id']}:{n}", fields={
                "account_external_id": number, "account_number": number, "date": date.fromisoformat(txn["TxnDate"]),
                "debit": Decimal(debit), "credit": Decimal(credit), "entry_external_id": f"GL:{txn['Id']}"}))
    return records


def _sig(org) -> dict[tuple[str, object], Decimal]:
    return {(v.kpi.slug, v.period_start): v.value for v in
            KpiValue.objects.for_org(org).filter(kpi__slug__in=SIG, grain="month", dimension_value="")
            .select_related("kpi")}


def test_the_sig_from_quickbooks_equals_the_sig_from_the_same_books_in_pcg(acme, globex, alice, qbo, qbo_fake):
    connection_sync(connection=qbo)
    sundry = LedgerAccount.objects.for_org(acme).get(external_id="84")
    ledger_account_remap(account=sundry, pcg_number="62", by=alice)
    records_upsert(org=globex, source="pennylane", records=_pcg_books(demo_company()))
    for org in (acme, globex):
        catalogue_install(org)
        kpi_values_recompute(org=org)

    from_quickbooks, from_pcg = _sig(acme), _sig(globex)

    assert from_pcg and any(v for v in from_pcg.values())
    assert from_quickbooks == from_pcg
