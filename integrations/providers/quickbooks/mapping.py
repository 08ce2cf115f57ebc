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
    # A company card is settled from the bank: its purchases count with the bank's movements.
    "Credit Card": "512",
    # Payments received but not yet banked (a Deposit later moves them to the bank).
    "Other Current Asset/UndepositedFunds": "511",
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


def credit_memo_record(doc: dict[str, Any]) -> Record:
    """A CreditMemo is a customer credit note: negative amounts, never paid, void when voided. The invoice it
    credits is settled by the Payment that applies it (QuickBooks links the two through that Payment)."""
    total, tax = Decimal(str(doc.get("TotalAmt") or 0)), Decimal(str((doc.get("TxnTaxDetail") or {}).get("TotalTax") or 0))
    voided = is_voided(doc)
    return Record(model="invoice", external_id=f"cm:{doc['Id']}", source_updated_at=updated_at(doc),
                  raw={"Id": doc["Id"]}, fields={
        "kind": "customer", "number": str(doc.get("DocNumber") or "")[:80],
        "customer_external_id": _ref(doc, "CustomerRef"), "issue_date": _date(doc.get("TxnDate")),
        "due_date": None, "paid_date": None, "currency": _ref(doc, "CurrencyRef") or "EUR", "exchange_rate": rate(doc),
        "amount_excl_tax": -home(total - tax, doc), "amount_incl_tax": -home(total, doc),
        "currency_amount_incl_tax": -money(total), "remaining_amount_incl_tax": -home(doc.get("Balance"), doc),
        "status": "voided" if voided else "credit_note", "is_credit_note": True, "is_void": voided})


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


def _linked(line: dict[str, Any], txn_type: str) -> list[str]:
    return [str(t["TxnId"]) for t in line.get("LinkedTxn") or [] if t.get("TxnType") == txn_type]


def payment_records(doc: dict[str, Any]) -> list[Record]:
    """One canonical Payment per invoice the QuickBooks payment settles. A Payment may also apply credit
    memos (lines linked to a CreditMemo; its TotalAmt is then the cash only, 0 for a pure credit): that part
    of what it settles is a `credit_note` settlement, the rest a `payment`."""
    lines = doc.get("Line") or []
    credit = sum((abs(money(line.get("Amount"))) for line in lines if _linked(line, "CreditMemo")), Decimal(0))
    out = []
    for n, line in enumerate(lines):
        for invoice in _linked(line, "Invoice"):
            amount = money(line.get("Amount"))
            from_credit = min(amount, credit)
            credit -= from_credit
            common = {"invoice_external_id": f"inv:{invoice}", "date": _date(doc.get("TxnDate"))}
            if amount - from_credit:
                out.append(Record(model="payment", external_id=f"pay:{doc['Id']}:{n}", source_updated_at=updated_at(doc),
                                  fields={**common, "kind": "payment", "amount": home(amount - from_credit, doc)}))
            if from_credit:
                out.append(Record(model="payment", external_id=f"pay:{doc['Id']}:{n}:credit",
                                  source_updated_at=updated_at(doc),
                                  fields={**common, "kind": "credit_note", "amount": home(from_credit, doc)}))
    return out


def bill_payment_records(doc: dict[str, Any]) -> list[Record]:
    """One canonical Payment per bill a BillPayment settles (its lines are linked to the bills)."""
    return [Record(model="payment", external_id=f"billpay:{doc['Id']}:{n}", source_updated_at=updated_at(doc),
                   fields={"invoice_external_id": f"bill:{bill}", "kind": "payment", "date": _date(doc.get("TxnDate")),
                           "amount": home(line.get("Amount"), doc)})
            for n, line in enumerate(doc.get("Line") or []) for bill in _linked(line, "Bill")]


def bill_payment_account(doc: dict[str, Any]) -> str:
    """The account a BillPayment paid from: the bank of a cheque, the card of a card payment."""
    if doc.get("PayType") == "CreditCard":
        return _ref(doc.get("CreditCardPayment") or {}, "CCAccountRef")
    return _ref(doc.get("CheckPayment") or {}, "BankAccountRef")


def bank_account_record(doc: dict[str, Any]) -> Record:
    return Record(model="bankaccount", external_id=str(doc["Id"]), source_updated_at=updated_at(doc),
                  fields={"name": doc.get("Name", "")[:255], "currency": _ref(doc, "CurrencyRef") or "EUR"},
                  deleted=doc.get("Active") is False)


def bank_transactions(lines: list[Record], bank_accounts: set[str]) -> list[Record]:
    """The movements of a document on the company's bank and card accounts, read from its postings
    (receipts positive): Payments and Deposits into the bank, BillPayments and Purchases out of it."""
    out = []
    for line in lines:
        account = line.fields["account_external_id"]
        if account in bank_accounts:
            out.append(Record(model="banktransaction", external_id=f"bank:{line.external_id}",
                              source_updated_at=line.source_updated_at, fields={
                "bank_account_external_id": account, "date": line.fields["date"], "label": line.fields["label"],
                "amount": line.fields["debit"] - line.fields["credit"]}))
    return out


def _line(entry: str, n: int, doc: dict[str, Any], account: str, *, debit: Decimal = Decimal(0),
          credit: Decimal = Decimal(0), label: str = "", journal: str) -> Record:
    return Record(model="ledgerline", external_id=f"{entry}:{n}", source_updated_at=updated_at(doc), fields={
        "account_external_id": account, "date": _date(doc.get("TxnDate")), "journal": journal,
        "label": label[:255], "debit": debit, "credit": credit, "entry_external_id": entry})


def ledger_lines(entity: str, doc: dict[str, Any], *, receivable: str, payable: str,
                 undeposited: str = "") -> list[Record]:
    """The postings a document makes, since QuickBooks' entities do not list them: a sale credits its
    income accounts and the VAT and debits receivables (a credit memo the reverse); a bill debits its
    expense accounts and credits payables; a payment moves receivables to its deposit account, a bill
    payment payables to the bank or card it was paid from; a deposit debits its bank and credits its lines'
    accounts (Undeposited Funds for the payments it banks); a purchase debits its expense lines and credits
    the bank, cash or card account it was paid from; a journal entry says its own lines."""
    entry = f"{entity}:{doc['Id']}"
    label = str(doc.get("DocNumber") or "")
    lines: list[Record] = []

    def post(account: str, amount: Decimal, *, debit: bool, journal: str, text: str = label) -> None:
        if amount:
            side = {"debit": amount} if debit else {"credit": amount}
            lines.append(_line(entry, len(lines), doc, account, label=text, journal=journal, **side))

    if is_voided(doc):
        return lines
    if entity in ("Invoice", "CreditMemo"):
        sale = entity == "Invoice"  # a credit memo posts the same lines on the other side
        for line in doc.get("Line") or []:
            detail = line.get("SalesItemLineDetail")
            if detail:
                post(_ref(detail, "ItemAccountRef"), home(line.get("Amount"), doc), debit=not sale, journal="VT")
        post(TAX_ACCOUNT_ID, home((doc.get("TxnTaxDetail") or {}).get("TotalTax"), doc), debit=not sale, journal="VT")
        post(receivable, home(doc.get("TotalAmt"), doc), debit=sale, journal="VT")
    elif entity == "Bill":
        for line in doc.get("Line") or []:
            detail = line.get("AccountBasedExpenseLineDetail")
            if detail:
                post(_ref(detail, "AccountRef"), home(line.get("Amount"), doc), debit=True, journal="HA")
        post(payable, home(doc.get("TotalAmt"), doc), debit=False, journal="HA")
    elif entity == "Payment":
        amount = home(doc.get("TotalAmt"), doc)  # the cash only: credit memos it applies post nothing here
        post(_ref(doc, "DepositToAccountRef") or undeposited, amount, debit=True, journal="BQ")
        post(receivable, amount, debit=False, journal="BQ")
    elif entity == "BillPayment":
        amount = home(doc.get("TotalAmt"), doc)
        post(payable, amount, debit=True, journal="BQ")
        post(bill_payment_account(doc), amount, debit=False, journal="BQ")
    elif entity == "Deposit":
        post(_ref(doc, "DepositToAccountRef"), home(doc.get("TotalAmt"), doc), debit=True, journal="BQ")
        for line in doc.get("Line") or []:
            account = _ref(line.get("DepositLineDetail") or {}, "AccountRef") or undeposited
            post(account, home(line.get("Amount"), doc), debit=False, journal="BQ", text=line.get("Description") or label)
    elif entity == "Purchase":
        refund = bool(doc.get("Credit"))  # a card refund: the same lines the other way
        for line in doc.get("Line") or []:
            detail = line.get("AccountBasedExpenseLineDetail")
            if detail:
                post(_ref(detail, "AccountRef"), home(line.get("Amount"), doc), debit=not refund, journal="BQ",
                     text=line.get("Description") or label)
        post(TAX_ACCOUNT_ID, home((doc.get("TxnTaxDetail") or {}).get("TotalTax"), doc), debit=not refund, journal="BQ")
        post(_ref(doc, "AccountRef"), home(doc.get("TotalAmt"), doc), debit=refund, journal="BQ")
    elif entity == "JournalEntry":
        for line in doc.get("Line") or []:
            detail = line.get("JournalEntryLineDetail") or {}
            post(_ref(detail, "AccountRef"), home(line.get("Amount"), doc), debit=detail.get("PostingType") == "Debit",
                 journal="OD", text=line.get("Description") or label)
    return lines


# The GeneralLedger report's transaction types whose postings the connector derives from the entities it reads;
# the report's other rows (sales receipts, refunds, vendor credits, transfers…) become ledger lines of their own.
DERIVED_TXN_TYPES = frozenset({
    "Invoice", "Credit Memo", "Payment", "Bill", "Bill Payment (Check)", "Bill Payment (Credit Card)", "Deposit",
    "Expense", "Check", "Cash Expense", "Credit Card Expense", "Credit Card Credit", "Journal Entry"})
GENERAL_LEDGER_COLUMNS = ("tx_date", "txn_type", "doc_num", "memo", "debt_amt", "credit_amt")


def _report_rows(rows: dict[str, Any], account: str):
    """(account id, ColData) of every Data row, walking the account sections (sub-accounts nest)."""
    for row in (rows or {}).get("Row") or []:
        if row.get("type") == "Section" or "Rows" in row:
            header = ((row.get("Header") or {}).get("ColData") or [{}])[0]
            yield from _report_rows(row.get("Rows") or {}, str(header.get("id") or account))
        elif row.get("ColData"):
            yield account, row["ColData"]


def general_ledger_lines(report: dict[str, Any]) -> list[Record]:
    """The report's postings of the transactions no entity we read carries, one ledger line per report row,
    in the company currency (the report's amounts are)."""
    keys = [next((m.get("Value") for m in c.get("MetaData") or [] if m.get("Name") == "ColKey"), "")
            for c in (report.get("Columns") or {}).get("Column") or []]
    out: list[Record] = []
    seen: dict[str, int] = {}
    for account, cells in _report_rows(report.get("Rows") or {}, ""):
        cell = dict(zip(keys, cells))
        txn = cell.get("txn_type") or {}
        kind, txn_id = str(txn.get("value") or ""), str(txn.get("id") or "")
        if not txn_id or not account or kind in DERIVED_TXN_TYPES:
            continue  # opening balances, and what the entities already post
        entry = f"GL:{kind.replace(' ', '')}:{txn_id}"
        n = seen.get(entry, 0)
        seen[entry] = n + 1
        label = str((cell.get("memo") or {}).get("value") or (cell.get("doc_num") or {}).get("value") or kind)
        out.append(Record(model="ledgerline", external_id=f"{entry}:{n}", fields={
            "account_external_id": account, "date": _date((cell.get("tx_date") or {}).get("value")), "journal": "OD",
            "label": label[:255], "debit": money((cell.get("debt_amt") or {}).get("value") or 0),
            "credit": money((cell.get("credit_amt") or {}).get("value") or 0), "entry_external_id": entry}))
    return out
