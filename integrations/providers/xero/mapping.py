"""Xero payloads → canonical records, and Xero account classes and types → PCG classes.

Amounts are JSON numbers at Xero: read as `Decimal(str(x))`. Dates come as `/Date(ms+0000)/`. A
document in a foreign currency carries `CurrencyRate`, the units of its currency per unit of the
organisation's base currency (1 EUR = 1.25 USD → 1.25): amounts in the base currency are the document's
divided by it. Journal lines are in the base currency already.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from integrations.base import Record
from integrations.pcg import pcg_default

# Class/Type[/SystemAccount] → PCG class (Xero's "Account Types" reference and the SDK's AccountType and
# SystemAccount enums). Xero's types are coarse: an OVERHEADS account may be rent, fees or wages (62 by
# default, the CFO refines it on the mapping page); a plain EXPENSE, or a current asset or liability
# that is no system account, waits for the CFO.
PCG_DEFAULTS: dict[str, str] = {
    "REVENUE": "706",
    "REVENUE/REVENUE": "706",
    "REVENUE/SALES": "707",
    "REVENUE/OTHERINCOME": "75",
    "EXPENSE/DIRECTCOSTS": "607",
    "EXPENSE/OVERHEADS": "62",
    "EXPENSE/DEPRECIATN": "681",
    "ASSET/BANK": "512",
    "ASSET/CURRENT/DEBTORS": "411",
    "ASSET/FIXED": "21",
    "ASSET/INVENTORY": "37",
    "LIABILITY/CURRLIAB/CREDITORS": "401",
    "LIABILITY/CURRLIAB/GST": "445",
    "LIABILITY/CURRLIAB/WAGEPAYABLES": "421",
    "LIABILITY/TERMLIAB": "164",
    "LIABILITY/NONCURRENT": "164",
    "EQUITY": "101",
    "EQUITY/EQUITY/RETAINEDEARNINGS": "106",
}
# Statuses that are no sale or purchase: kept as records (the records browser shows them), counted nowhere.
NOT_COUNTED = frozenset({"DRAFT", "SUBMITTED", "VOIDED", "DELETED"})
JOURNAL_OF_SOURCE = {"ACCREC": "VT", "ACCRECCREDIT": "VT", "ACCPAY": "HA", "ACCPAYCREDIT": "HA"}
_MS_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")


def parse_datetime(value: str | None) -> datetime | None:
    """`/Date(1539993600000+0000)/` (or an ISO string, as some endpoints send) as an aware datetime."""
    if not value:
        return None
    found = _MS_DATE.fullmatch(value)
    if found:
        return datetime.fromtimestamp(int(found[1]) / 1000, tz=UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: str | None) -> date | None:
    """A Xero date: midnight UTC of the day (the offset, when present, says the day's zone, not a shift)."""
    moment = parse_datetime(value)
    return moment.date() if moment else None


def money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def rate(doc: dict[str, Any]) -> Decimal:
    return Decimal(str(doc.get("CurrencyRate") or 1))


def base(value: Any, doc: dict[str, Any]) -> Decimal:
    return (Decimal(str(value or 0)) / rate(doc)).quantize(Decimal("0.01"))


def updated_at(doc: dict[str, Any]) -> datetime | None:
    return parse_datetime(doc.get("UpdatedDateUTC"))


def classification(doc: dict[str, Any]) -> tuple[str, ...]:
    return tuple(p for p in (doc.get("Class", ""), doc.get("Type", ""), doc.get("SystemAccount", "")) if p)


def account_record(doc: dict[str, Any]) -> Record:
    parts = classification(doc)
    return Record(model="ledgeraccount", external_id=doc["AccountID"], source_updated_at=updated_at(doc), fields={
        "number": str(doc.get("Code") or doc["AccountID"])[:20], "label": doc.get("Name", "")[:255],
        "classification": "/".join(parts)[:120], "default_pcg_number": pcg_default(PCG_DEFAULTS, *parts)},
        deleted=doc.get("Status") == "DELETED")


def bank_account_record(doc: dict[str, Any]) -> Record:
    return Record(model="bankaccount", external_id=doc["AccountID"], source_updated_at=updated_at(doc),
                  fields={"name": doc.get("Name", "")[:255], "currency": doc.get("CurrencyCode") or "EUR"},
                  deleted=doc.get("Status") == "DELETED")


def contact_records(doc: dict[str, Any]) -> list[Record]:
    """A Xero contact is a customer, a supplier or both; one that is neither yet is read as a customer."""
    name = (doc.get("Name") or "")[:255]
    out = []
    if doc.get("IsCustomer") or not doc.get("IsSupplier"):
        out.append(Record(model="customer", external_id=doc["ContactID"], source_updated_at=updated_at(doc),
                          fields={"name": name}))
    if doc.get("IsSupplier"):
        out.append(Record(model="supplier", external_id=doc["ContactID"], source_updated_at=updated_at(doc),
                          fields={"name": name}))
    return out


def _paid_on(doc: dict[str, Any]) -> date | None:
    """The day of the last payment of a paid invoice (Xero lists them on the invoice), else FullyPaidOnDate."""
    days = [parse_date(p.get("Date")) for p in doc.get("Payments") or []]
    days = [d for d in days if d]
    return max(days) if days else parse_date(doc.get("FullyPaidOnDate"))


def invoice_record(doc: dict[str, Any]) -> Record:
    """ACCREC is a sale, ACCPAY a purchase; drafts, submitted, voided and deleted ones are kept, not counted."""
    kind = "customer" if doc.get("Type") == "ACCREC" else "supplier"
    status = str(doc.get("Status") or "")
    contact = (doc.get("Contact") or {}).get("ContactID", "")
    party = {"customer_external_id": contact} if kind == "customer" else {"supplier_external_id": contact}
    paid = status == "PAID"
    return Record(model="invoice", external_id=doc["InvoiceID"], source_updated_at=updated_at(doc),
                  raw={"InvoiceID": doc["InvoiceID"]}, fields={
        "kind": kind, "number": str(doc.get("InvoiceNumber") or "")[:80], **party,
        "issue_date": parse_date(doc.get("Date")), "due_date": parse_date(doc.get("DueDate")),
        "paid_date": _paid_on(doc) if paid else None,
        "currency": doc.get("CurrencyCode") or "EUR", "exchange_rate": (1 / rate(doc)).quantize(Decimal("0.000001")),
        "amount_excl_tax": base(doc.get("SubTotal"), doc), "amount_incl_tax": base(doc.get("Total"), doc),
        "currency_amount_incl_tax": money(doc.get("Total")), "remaining_amount_incl_tax": base(doc.get("AmountDue"), doc),
        "status": status.lower(), "is_void": status in NOT_COUNTED})


def credit_note_records(doc: dict[str, Any]) -> list[Record]:
    """A credit note is an invoice of negative amounts; each allocation to an invoice settles that much of it."""
    kind = "customer" if doc.get("Type") == "ACCRECCREDIT" else "supplier"
    status = str(doc.get("Status") or "")
    contact = (doc.get("Contact") or {}).get("ContactID", "")
    party = {"customer_external_id": contact} if kind == "customer" else {"supplier_external_id": contact}
    external = f"cn:{doc['CreditNoteID']}"
    out = [Record(model="invoice", external_id=external, source_updated_at=updated_at(doc), fields={
        "kind": kind, "number": str(doc.get("CreditNoteNumber") or "")[:80], **party,
        "issue_date": parse_date(doc.get("Date")), "due_date": None, "paid_date": None,
        "currency": doc.get("CurrencyCode") or "EUR", "exchange_rate": (1 / rate(doc)).quantize(Decimal("0.000001")),
        "amount_excl_tax": -base(doc.get("SubTotal"), doc), "amount_incl_tax": -base(doc.get("Total"), doc),
        "currency_amount_incl_tax": -money(doc.get("Total")), "remaining_amount_incl_tax": Decimal("0.00"),
        "status": status.lower(), "is_credit_note": True, "is_void": status in NOT_COUNTED})]
    if status not in NOT_COUNTED:
        for n, allocation in enumerate(doc.get("Allocations") or []):
            invoice = (allocation.get("Invoice") or {}).get("InvoiceID")
            if invoice:
                out.append(Record(model="payment", external_id=f"{external}:{n}", source_updated_at=updated_at(doc),
                                  fields={"invoice_external_id": invoice, "kind": "credit_note",
                                          "date": parse_date(allocation.get("Date")) or parse_date(doc.get("Date")),
                                          "amount": base(allocation.get("Amount"), doc)}))
    return out


def payment_record(doc: dict[str, Any]) -> Record:
    """A payment of one invoice on its day, in the base currency at the payment's own rate; deleted ones go."""
    return Record(model="payment", external_id=doc["PaymentID"], source_updated_at=updated_at(doc), fields={
        "invoice_external_id": (doc.get("Invoice") or {}).get("InvoiceID"), "kind": "payment",
        "date": parse_date(doc.get("Date")), "amount": base(doc.get("Amount"), doc)},
        deleted=doc.get("Status") == "DELETED")


def bank_transaction_record(doc: dict[str, Any]) -> Record:
    sign = -1 if str(doc.get("Type", "")).startswith("SPEND") else 1
    return Record(model="banktransaction", external_id=doc["BankTransactionID"], source_updated_at=updated_at(doc),
                  fields={"bank_account_external_id": (doc.get("BankAccount") or {}).get("AccountID"),
                          "date": parse_date(doc.get("Date")), "amount": sign * base(doc.get("Total"), doc),
                          "label": str(doc.get("Reference") or "")[:255]},
                  deleted=doc.get("Status") == "DELETED")


def ledger_lines(journal: dict[str, Any]) -> list[Record]:
    """Each journal line is one posting of its net amount (positive a debit, negative a credit): the tax is
    its own line on the VAT account. Journals are never changed; a void posts a reversing journal."""
    day = parse_date(journal.get("JournalDate"))
    created = parse_datetime(journal.get("CreatedDateUTC"))
    code = JOURNAL_OF_SOURCE.get(str(journal.get("SourceType") or ""), "BQ" if "PAYMENT" in str(
        journal.get("SourceType") or "") or str(journal.get("SourceType") or "").startswith("CASH") else "OD")
    out = []
    for line in journal.get("JournalLines") or []:
        net = money(line.get("NetAmount"))
        out.append(Record(model="ledgerline", external_id=line["JournalLineID"], source_updated_at=created, fields={
            "account_external_id": line.get("AccountID"), "date": day, "journal": code,
            "label": str(line.get("Description") or journal.get("Reference") or "")[:255],
            "debit": net if net > 0 else Decimal("0.00"), "credit": -net if net < 0 else Decimal("0.00"),
            "entry_external_id": str(journal.get("JournalID") or "")}))
    return out


def fiscal_year_start_month(organisation: dict[str, Any]) -> int | None:
    """The month after the one the financial year ends in (ends 31 March → starts in April)."""
    month = organisation.get("FinancialYearEndMonth")
    return int(month) % 12 + 1 if month else None
