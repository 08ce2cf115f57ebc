"""QuickBooks Online payloads → canonical records, and QuickBooks account types → PCG classes.

Amounts are JSON numbers at QuickBooks: read as `Decimal(str(x))`, never floats kept as such. A
document in a foreign currency carries `ExchangeRate` (home currency per unit of the document's):
amounts in the company currency are the document's times that rate.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from integrations.base import Record
from integrations.pcg import pcg_default

# AccountType[/AccountSubType] → PCG class (Intuit's "Account classifications" reference). A type not
# listed here, such as a plain "Expense" of an unusual sub-type, waits for the CFO on the mapping page.
PCG_DEFAULTS: dict[str, str] = {
    "Income": "706",
    "Income/SalesOfProductIncome": "707",
    "Income/ServiceFeeIncome": "706",
    "Income/DiscountsRefundsGiven": "709",
    "Other Income": "75",
    "Other Income/InterestEarned": "76",
    "Cost of Goods Sold": "607",
    "Cost of Goods Sold/SuppliesMaterialsCogs": "601",
    "Expense/RentOrLeaseOfBuildings": "613",
    "Expense/Insurance": "616",
    "Expense/AdvertisingPromotional": "623",
    "Expense/Travel": "625",
    "Expense/TravelMeals": "625",
    "Expense/EntertainmentMeals": "625",
    "Expense/BankCharges": "627",
    "Expense/PayrollExpenses": "641",
    "Expense/TaxesPaid": "63",
    "Expense/Utilities": "606",
    "Expense/SuppliesMaterials": "606",
    "Expense/OfficeGeneralAdministrativeExpenses": "606",
    "Expense/LegalProfessionalFees": "62",
    "Expense/InterestPaid": "66",
    "Other Expense/Depreciation": "681",
    "Other Expense/Amortization": "681",
    "Other Expense/PenaltiesSettlements": "67",
    "Bank": "512",
    "Accounts Receivable": "411",
    "Accounts Payable": "401",
    "Fixed Asset": "21",
    "Fixed Asset/AccumulatedDepreciation": "28",
    "Other Current Liability/SalesTaxPayable": "445",
    "Other Current Liability/GlobalTaxPayable": "445",
    "Long Term Liability": "164",
    "Equity": "101",
    "Equity/RetainedEarnings": "106",
}
TAX_ACCOUNT_ID = "qbo-tax"  # the VAT of sales documents, which QuickBooks books on its own tax agency accounts


def money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def rate(doc: dict[str, Any]) -> Decimal:
    return Decimal(str(doc.get("ExchangeRate") or 1))


def home(value: Any, doc: dict[str, Any]) -> Decimal:
    return (Decimal(str(value or 0)) * rate(doc)).quantize(Decimal("0.01"))


def updated_at(doc: dict[str, Any]) -> datetime | None:
    stamp = (doc.get("MetaData") or {}).get("LastUpdatedTime")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _ref(doc: dict[str, Any], name: str) -> str:
    return str((doc.get(name) or {}).get("value") or "")


def account_record(doc: dict[str, Any]) -> Record:
    kind, sub = doc.get("AccountType", ""), doc.get("AccountSubType", "")
    return Record(model="ledgeraccount", external_id=str(doc["Id"]), source_updated_at=updated_at(doc), fields={
        "number": str(doc.get("AcctNum") or doc["Id"])[:20], "label": doc.get("Name", "")[:255],
        "classification": "/".join(p for p in (kind, sub) if p)[:120],
        "default_pcg_number": pcg_default(PCG_DEFAULTS, kind, sub)}, deleted=doc.get("Active") is False)


def tax_account_record() -> Record:
    return Record(model="ledgeraccount", external_id=TAX_ACCOUNT_ID, fields={
        "number": "VAT", "label": "VAT on sales", "classification": "Other Current Liability/GlobalTaxPayable",
        "default_pcg_number": PCG_DEFAULTS["Other Current Liability/GlobalTaxPayable"]})


def customer_record(doc: dict[str, Any]) -> Record:
    return Record(model="customer", external_id=str(doc["Id"]), source_updated_at=updated_at(doc),
                  fields={"name": (doc.get("DisplayName") or doc.get("CompanyName") or "")[:255]})


def vendor_record(doc: dict[str, Any]) -> Record:
    return Record(model="supplier", external_id=str(doc["Id"]), source_updated_at=updated_at(doc),
                  fields={"name": (doc.get("DisplayName") or doc.get("CompanyName") or "")[:255]})


def is_voided(doc: dict[str, Any]) -> bool:
    """QuickBooks voids a document by zeroing it and noting "Voided"; it stays listed."""
    return str(doc.get("PrivateNote") or "").startswith("Voided")


def invoice_record(doc: dict[str, Any], *, kind: str, paid_on: date | None) -> Record:
    total, tax = Decimal(str(doc.get("TotalAmt") or 0)), Decimal(str((doc.get("TxnTaxDetail") or {}).get("TotalTax") or 0))
    balance = home(doc.get("Balance"), doc)
    party = {"customer_external_id": _ref(doc, "CustomerRef")} if kind == "customer" else \
        {"supplier_external_id": _ref(doc, "VendorRef")}
    voided = is_voided(doc)
    return Record(model="invoice", external_id=f"{'inv' if kind == 'customer' else 'bill'}:{doc['Id']}",
                  source_updated_at=updated_at(doc), raw={"Id": doc["Id"]}, fields={
        "kind": kind, "number": str(doc.get("DocNumber") or "")[:80], **party,
        "issue_date": _date(doc.get("TxnDate")), "due_date": _date(doc.get("DueDate")),
        "paid_date": paid_on if balance == 0 and not voided else None,
        "currency": _ref(doc, "CurrencyRef") or "EUR", "exchange_rate": rate(doc),
        "amount_excl_tax": home(total - tax, doc), "amount_incl_tax": home(total, doc),
        "currency_amount_incl_tax": money(total), "remaining_amount_incl_tax": balance,
        "status": "voided" if voided else ("paid" if balance == 0 else "open"), "is_void": voided})


def payment_records(doc: dict[str, Any]) -> list[Record]:
    """One canonical Payment per invoice the QuickBooks payment settles."""
    out = []
    for n, line in enumerate(doc.get("Line") or []):
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice":
                out.append(Record(model="payment", external_id=f"pay:{doc['Id']}:{n}", source_updated_at=updated_at(doc),
                                  fields={"invoice_external_id": f"inv:{linked['TxnId']}", "kind": "payment",
                                          "date": _date(doc.get("TxnDate")), "amount": home(line.get("Amount"), doc)}))
    return out


def _line(entry: str, n: int, doc: dict[str, Any], account: str, *, debit: Decimal = Decimal(0),
          credit: Decimal = Decimal(0), label: str = "", journal: str) -> Record:
    return Record(model="ledgerline", external_id=f"{entry}:{n}", source_updated_at=updated_at(doc), fields={
        "account_external_id": account, "date": _date(doc.get("TxnDate")), "journal": journal,
        "label": label[:255], "debit": debit, "credit": credit, "entry_external_id": entry})


def ledger_lines(entity: str, doc: dict[str, Any], *, receivable: str, payable: str) -> list[Record]:
    """The postings a document makes, since QuickBooks' entities do not list them: a sale credits its
    income accounts and the VAT and debits receivables; a bill debits its expense accounts and credits
    payables; a payment moves receivables to the bank; a journal entry says its own lines."""
    entry = f"{entity}:{doc['Id']}"
    label = str(doc.get("DocNumber") or "")
    lines: list[Record] = []
    if is_voided(doc):
        return lines
    if entity == "Invoice":
        for line in doc.get("Line") or []:
            detail = line.get("SalesItemLineDetail")
            if detail:
                lines.append(_line(entry, len(lines), doc, _ref(detail, "ItemAccountRef"),
                                   credit=home(line.get("Amount"), doc), label=label, journal="VT"))
        tax = (doc.get("TxnTaxDetail") or {}).get("TotalTax")
        if tax:
            lines.append(_line(entry, len(lines), doc, TAX_ACCOUNT_ID, credit=home(tax, doc), label=label, journal="VT"))
        lines.append(_line(entry, len(lines), doc, receivable, debit=home(doc.get("TotalAmt"), doc), label=label,
                           journal="VT"))
    elif entity == "Bill":
        for line in doc.get("Line") or []:
            detail = line.get("AccountBasedExpenseLineDetail")
            if detail:
                lines.append(_line(entry, len(lines), doc, _ref(detail, "AccountRef"), debit=home(line.get("Amount"), doc),
                                   label=label, journal="HA"))
        lines.append(_line(entry, len(lines), doc, payable, credit=home(doc.get("TotalAmt"), doc), label=label,
                           journal="HA"))
    elif entity == "Payment":
        amount = home(doc.get("TotalAmt"), doc)
        lines.append(_line(entry, 0, doc, _ref(doc, "DepositToAccountRef"), debit=amount, label=label, journal="BQ"))
        lines.append(_line(entry, 1, doc, receivable, credit=amount, label=label, journal="BQ"))
    elif entity == "JournalEntry":
        for line in doc.get("Line") or []:
            detail = line.get("JournalEntryLineDetail") or {}
            amount = home(line.get("Amount"), doc)
            side = {"debit": amount} if detail.get("PostingType") == "Debit" else {"credit": amount}
            lines.append(_line(entry, len(lines), doc, _ref(detail, "AccountRef"), label=line.get("Description") or label,
                               journal="OD", **side))
    return lines
