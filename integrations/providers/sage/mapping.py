"""Sage Business Cloud Accounting payloads → canonical records, and Sage ledger account types → PCG classes.

Amounts are decimal strings (or numbers) at Sage: read as `Decimal(str(x))`. A document carries its
amounts in its own currency (`total_amount`…) and in the business's base currency
(`base_currency_total_amount`…): the base amounts are what we count, and the document's rate is derived
from the two so it reads the way ours does (company currency per unit of the document's).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.base import Record
from integrations.pcg import pcg_default

# Ledger account type (Sage's `ledger_account_type.id`) → PCG class, for charts that are not French. Sage's
# types are broad: overheads default to other external charges (62), so wages kept among them wait for the
# CFO's re-mapping to 641; control accounts (current assets and liabilities) stay unmapped.
PCG_DEFAULTS: dict[str, str] = {
    "SALES": "706",
    "OTHER_INCOME": "75",
    "DIRECT_EXPENSES": "607",
    "OVERHEADS": "62",
    "DEPRECIATION": "681",
    "BANK": "512",
    "FIXED_ASSETS": "21",
    "EQUITY": "101",
    "LT_LIABILITY": "164",
}
# Sage's artefact statuses (Status Codes & Types); drafts and voided documents are never sales.
NOT_COUNTED = {"DRAFT", "VOID"}
STATUS_WORDS = {"DRAFT": "draft", "VOID": "cancelled", "PAID": "paid", "PART_PAID": "open", "UNPAID": "open"}
CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0)).quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal amount") from None


def stamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _id(link: dict[str, Any] | None) -> str:
    return str((link or {}).get("id") or "")


def account_record(doc: dict[str, Any], *, pcg_native: bool) -> Record:
    """A French chart's nominal codes are PCG numbers already; another edition's account carries its type."""
    kind = _id(doc.get("ledger_account_type"))
    fields = {"number": str(doc.get("nominal_code") or doc["id"])[:20],
              "label": str(doc.get("name") or doc.get("displayed_as") or "")[:255]}
    if not pcg_native:
        fields |= {"classification": kind[:120], "default_pcg_number": pcg_default(PCG_DEFAULTS, kind)}
    return Record(model="ledgeraccount", external_id=str(doc["id"]), fields=fields,
                  source_updated_at=stamp(doc.get("updated_at")), deleted=doc.get("included_in_chart") is False)


def contact_records(doc: dict[str, Any]) -> list[Record]:
    """A Sage contact is a customer, a supplier, or both (`contact_types`)."""
    types = {_id(t) for t in doc.get("contact_types") or []}
    name = str(doc.get("name") or doc.get("displayed_as") or "")[:255]
    out = []
    if "CUSTOMER" in types:
        out.append(Record(model="customer", external_id=str(doc["id"]), fields={"name": name},
                          source_updated_at=stamp(doc.get("updated_at"))))
    if "VENDOR" in types:
        out.append(Record(model="supplier", external_id=str(doc["id"]), fields={"name": name},
                          source_updated_at=stamp(doc.get("updated_at"))))
    return out


# resource → (invoice kind, credit note?, external id prefix)
DOCUMENTS = {"sales_invoices": ("customer", False, "si"), "sales_credit_notes": ("customer", True, "sc"),
             "purchase_invoices": ("supplier", False, "pi"), "purchase_credit_notes": ("supplier", True, "pc")}


def document_id(resource: str, object_id: str) -> str:
    return f"{DOCUMENTS[resource][2]}:{object_id}"


def _rate(doc: dict[str, Any]) -> Decimal:
    total, base = money(doc.get("total_amount")), money(doc.get("base_currency_total_amount"))
    return (base / total).quantize(Decimal("0.000001")) if total else Decimal(1)


def invoice_record(resource: str, doc: dict[str, Any]) -> Record:
    kind, credit_note, _prefix = DOCUMENTS[resource]
    status = _id(doc.get("status"))
    void = status in NOT_COUNTED
    sign = Decimal(-1) if credit_note else Decimal(1)  # a credit note carries negative amounts
    total = money(doc.get("base_currency_total_amount"))
    outstanding = money(doc.get("base_currency_outstanding_amount"))
    party = "customer_external_id" if kind == "customer" else "supplier_external_id"
    settled = not void and not credit_note and outstanding == 0 and status == "PAID"
    allocations = [day(a.get("date")) for a in doc.get("payments_allocations") or [] if a.get("date")]
    # Paid on the day of its last payment or allocation; marked paid without any: its last update.
    paid_on = (max(allocations) if allocations else day(doc.get("updated_at"))) if settled else None
    return Record(model="invoice", external_id=document_id(resource, str(doc["id"])),
                  source_updated_at=stamp(doc.get("updated_at")), raw={"id": doc["id"], "status": status}, fields={
        "kind": kind, party: _id(doc.get("contact")), "is_credit_note": credit_note,
        "number": str(doc.get("invoice_number") or doc.get("credit_note_number") or doc.get("vendor_reference")
                      or doc.get("displayed_as") or "")[:80],
        "issue_date": day(doc.get("date")), "due_date": day(doc.get("due_date")), "paid_date": paid_on,
        "currency": _id(doc.get("currency")) or "EUR", "exchange_rate": _rate(doc),
        "amount_excl_tax": sign * money(doc.get("base_currency_net_amount")), "amount_incl_tax": sign * total,
        "currency_amount_incl_tax": sign * money(doc.get("total_amount")),
        "remaining_amount_incl_tax": Decimal(0) if void else sign * outstanding,
        "status": STATUS_WORDS.get(status, status.lower()), "is_void": void})


def payment_records(resource: str, doc: dict[str, Any]) -> list[Record]:
    """The invoice's payments and allocations (`show_payments_allocations`), in the base currency; an
    allocation of a credit note settles the invoice as a credit note does at Pennylane."""
    if DOCUMENTS[resource][1] or _id(doc.get("status")) in NOT_COUNTED:
        return []
    invoice = document_id(resource, str(doc["id"]))
    rate = _rate(doc)
    out = []
    for allocation in doc.get("payments_allocations") or []:
        kind = _id(allocation.get("transaction_type"))
        out.append(Record(model="payment", external_id=f"{invoice}:{allocation['id']}", fields={
            "invoice_external_id": invoice, "kind": "credit_note" if kind.endswith("ALLOCATION") else "payment",
            "date": day(allocation.get("date")), "amount": (money(allocation.get("amount")) * rate).quantize(CENT)}))
    return out


def ledger_line(doc: dict[str, Any]) -> Record:
    """One ledger entry, already in the base currency; `entry_external_id` is its transaction."""
    return Record(model="ledgerline", external_id=str(doc["id"]), source_updated_at=stamp(doc.get("updated_at")),
                  fields={"account_external_id": _id(doc.get("ledger_account")), "date": day(doc.get("date")),
                          "journal": _id(doc.get("transaction_type"))[:20],
                          "label": str(doc.get("details") or doc.get("displayed_as") or "")[:255],
                          "debit": money(doc.get("debit")), "credit": money(doc.get("credit")),
                          "entry_external_id": _id(doc.get("transaction"))})


# Sage v3.1 has no bank transaction list of its own: a bank account's movements are its contact payments
# (customer receipts, supplier payments, refunds) and its other payments and receipts. resource → id prefix.
BANK_MOVEMENTS = {"contact_payments": "cp", "other_payments": "op"}
# Money coming into the bank: counted positive; every other payment type goes out, negative.
RECEIPTS = {"CUSTOMER_RECEIPT", "VENDOR_REFUND", "OTHER_RECEIPT"}


def movement_id(resource: str, object_id: str) -> str:
    return f"{BANK_MOVEMENTS[resource]}:{object_id}"


def bank_account_record(doc: dict[str, Any], *, base_currency: str) -> Record:
    """A bank account carries no currency of its own in v3.1 when it is in the base currency."""
    details = doc.get("bank_account_details") or {}
    return Record(model="bankaccount", external_id=str(doc["id"]), source_updated_at=stamp(doc.get("updated_at")),
                  fields={"name": str(details.get("account_name") or doc.get("displayed_as") or "")[:255],
                          "currency": (_id(doc.get("currency")) or base_currency)[:3]})


def bank_movement_record(resource: str, doc: dict[str, Any]) -> Record:
    """A receipt or a payment on a bank account, signed (receipts positive), in the base currency when Sage
    states it (contact payments), else in the account's (other payments are in the base currency's account)."""
    kind = _id(doc.get("transaction_type"))
    sign = Decimal(1) if kind in RECEIPTS else Decimal(-1)
    amount = doc.get("base_currency_total_amount", doc.get("total_amount"))
    return Record(model="banktransaction", external_id=movement_id(resource, str(doc["id"])),
                  source_updated_at=stamp(doc.get("updated_at")), raw={"id": doc["id"], "transaction_type": kind},
                  fields={"bank_account_external_id": _id(doc.get("bank_account")) or None, "date": day(doc.get("date")),
                          "amount": sign * money(amount),
                          "label": str(doc.get("reference") or doc.get("displayed_as") or "")[:255]})


def fiscal_year_start_month(financial_settings: dict[str, Any]) -> int | None:
    """The month after the one the current financial year ends in (`year_end_date` 2027-03-31 → April)."""
    year_end = day(financial_settings.get("year_end_date"))
    return year_end.month % 12 + 1 if year_end else None
