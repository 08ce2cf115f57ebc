"""The Xero organisation the fake serves: a small, hand-checkable book (Bois Fin UK Ltd, the
English distributor of Atelier Bois Fin, books in EUR, fiscal year ending 31 March) whose accounts carry
Xero's own Class/Type, one of them a plain EXPENSE the default table leaves to the CFO.

Every document posts its journal the way Xero does: a sale debits receivables with the total and
credits the sales account with the net amount and the VAT account with the tax; a payment moves the
total from receivables to the bank; a bill debits its expense and credits payables; amounts in the base
currency are the document's divided by its `CurrencyRate` (units of the document's currency per euro).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from integrations.fakes.xero import Tenant, xero_date

DEMO_TOKEN = "demo-xero-bois-fin-distribution"
TENANT_ID = "b0157f1e-d15c-4a1e-9000-000000000001"
USD_RATE = Decimal("1.25")  # 1 EUR = 1.25 USD
ZERO = Decimal(0)


def _eur(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount / rate).quantize(Decimal("0.01"))


def _account(t: Tenant, code: str, name: str, cls: str, kind: str, at: datetime, system: str = "") -> dict:
    body = {"AccountID": f"00000000-0000-0000-0000-{int(code):012d}", "Code": code, "Name": name, "Class": cls,
            "Type": kind, "Status": "ACTIVE", "TaxType": "NONE", "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": False, "ReportingCode": "", "HasAttachments": False}
    if system:
        body["SystemAccount"] = system
    if kind == "BANK":
        body.update(BankAccountType="BANK", CurrencyCode="EUR", BankAccountNumber="GB29NWBK60161331926819")
    return t.add("Accounts", body, at=at)


def add_sale(t: Tenant, accounts: dict, *, number: str, contact: dict, day: date, net: Decimal, currency: str = "USD",
             rate: Decimal = USD_RATE, status: str = "AUTHORISED", at: datetime | None = None) -> dict:
    """A sales invoice (ACCREC) with 20 % VAT; an AUTHORISED one posts its journal, a DRAFT none."""
    tax = (net * Decimal("0.2")).quantize(Decimal("0.01"))
    total = net + tax
    invoice = t.add("Invoices", {
        "Type": "ACCREC", "InvoiceNumber": number, "Reference": "", "Contact": {"ContactID": contact["ContactID"],
                                                                                  "Name": contact["Name"]},
        "Date": xero_date(day), "DueDate": xero_date(day + timedelta(days=30)), "Status": status,
        "LineAmountTypes": "Exclusive", "CurrencyCode": currency, "CurrencyRate": rate,
        "LineItems": [{"LineItemID": f"{number}-1", "Description": "Oak furniture", "Quantity": Decimal(1),
                       "UnitAmount": net, "AccountCode": accounts["sales"]["Code"], "TaxType": "OUTPUT2",
                       "TaxAmount": tax, "LineAmount": net}],
        "SubTotal": net, "TotalTax": tax, "Total": total, "AmountDue": total, "AmountPaid": ZERO,
        "AmountCredited": ZERO, "Payments": [], "CreditNotes": [], "Prepayments": [], "Overpayments": [],
        "HasAttachments": False, "IsDiscounted": False, "HasErrors": False}, at=at)
    if status in ("AUTHORISED", "PAID"):
        t.post_journal(day=day, source_type="ACCREC", source_id=invoice["InvoiceID"], reference=number, at=at, lines=[
            (accounts["ar"], _eur(total, rate), ZERO),
            (accounts["sales"], -_eur(net, rate), -_eur(tax, rate)),
            (accounts["vat"], -_eur(tax, rate), ZERO)])
    return invoice


def add_payment(t: Tenant, accounts: dict, invoice: dict, *, day: date, at: datetime | None = None) -> dict:
    """The invoice paid whole into the bank on `day`, at the invoice's rate (no exchange difference)."""
    rate, total = invoice["CurrencyRate"], invoice["Total"]
    payment = t.add("Payments", {
        "Date": xero_date(day), "CurrencyRate": rate, "Amount": total, "BankAmount": _eur(total, rate),
        "Reference": invoice["InvoiceNumber"], "IsReconciled": True, "Status": "AUTHORISED",
        "PaymentType": "ACCRECPAYMENT", "Account": {"AccountID": accounts["bank"]["AccountID"],
                                                     "Code": accounts["bank"]["Code"]},
        "Invoice": {"InvoiceID": invoice["InvoiceID"], "InvoiceNumber": invoice["InvoiceNumber"], "Type": "ACCREC",
                    "CurrencyCode": invoice["CurrencyCode"]},
        "HasAccount": True, "HasValidationErrors": False}, at=at)
    t.touch("Invoices", invoice["InvoiceID"], at=at, Status="PAID", AmountDue=ZERO, AmountPaid=total,
            FullyPaidOnDate=xero_date(day),
            Payments=[{"PaymentID": payment["PaymentID"], "Date": xero_date(day), "Amount": total,
                       "CurrencyRate": rate, "HasAccount": False, "HasValidationErrors": False}])
    t.post_journal(day=day, source_type="ACCRECPAYMENT", source_id=payment["PaymentID"],
                   reference=invoice["InvoiceNumber"], at=at, lines=[
        (accounts["bank"], _eur(total, rate), ZERO), (accounts["ar"], -_eur(total, rate), ZERO)])
    return payment


def demo_tenant(*, today: date | None = None, invoices: int = 12, last_invoice_days_ago: int = 40) -> Tenant:
    today = today or date.today()
    at = datetime.now(UTC) - timedelta(days=2)
    t = Tenant(tenant_id=TENANT_ID, name="Bois Fin UK Ltd", base_currency="EUR",
               financial_year_end_day=31, financial_year_end_month=3)
    accounts = {
        "sales": _account(t, "200", "Sales", "REVENUE", "SALES", at),
        "interest": _account(t, "270", "Interest Income", "REVENUE", "OTHERINCOME", at),
        "cogs": _account(t, "310", "Cost of Goods Sold", "EXPENSE", "DIRECTCOSTS", at),
        "rent": _account(t, "469", "Rent", "EXPENSE", "OVERHEADS", at),
        # Wages are OVERHEADS at Xero, like rent: 62 by default, until the CFO maps them to 641.
        "wages": _account(t, "477", "Wages and Salaries", "EXPENSE", "OVERHEADS", at),
        # A plain EXPENSE: Xero's Type says too little for a PCG class, so the CFO maps it.
        "sundry": _account(t, "429", "General Expenses", "EXPENSE", "EXPENSE", at),
        "bank": _account(t, "090", "Business Bank Account", "ASSET", "BANK", at),
        "ar": _account(t, "610", "Accounts Receivable", "ASSET", "CURRENT", at, system="DEBTORS"),
        "ap": _account(t, "800", "Accounts Payable", "LIABILITY", "CURRLIAB", at, system="CREDITORS"),
        "vat": _account(t, "820", "VAT", "LIABILITY", "CURRLIAB", at, system="GST"),
    }
    customers = [t.add("Contacts", {"ContactID": f"c0000000-0000-0000-0000-00000000000{i}", "Name": name,
                                    "ContactStatus": "ACTIVE", "IsCustomer": True, "IsSupplier": False,
                                    "DefaultCurrency": "USD", "HasAttachments": False}, at=at)
                 for i, name in enumerate(["Oakland Interiors", "Brooklyn Loft Co", "Boston Home Studio"], start=1)]
    supplier = t.add("Contacts", {"ContactID": "c0000000-0000-0000-0000-000000000009", "Name": "Atelier Bois Fin",
                                  "ContactStatus": "ACTIVE", "IsCustomer": False, "IsSupplier": True,
                                  "DefaultCurrency": "EUR", "HasAttachments": False}, at=at)
    for i in range(invoices):
        day = today - timedelta(days=(invoices - 1 - i) * 10 + last_invoice_days_ago)  # one every 10 days
        # 1,250 USD + 125 USD a month: 1,000 € + 100 € at 1.25.
        invoice = add_sale(t, accounts, number=f"INV-{1000 + i}", contact=customers[i % 3], day=day,
                           net=Decimal("1250.00") + 125 * i, at=at)
        # Paid 20 days later, except every other one of the last twelve (receivables a few months old).
        if (i % 2 == 0 or i < invoices - 12) and day + timedelta(days=20) <= today:
            add_payment(t, accounts, invoice, day=day + timedelta(days=20), at=at)
    # A draft: kept as a record, never a sale, no journal.
    add_sale(t, accounts, number="INV-DRAFT", contact=customers[0], day=today - timedelta(days=3),
             net=Decimal("5000.00"), status="DRAFT", at=at)
    for i, (key, amount) in enumerate([("cogs", "4200.00"), ("rent", "1800.00"), ("sundry", "350.00")]):
        day = today - timedelta(days=60 + i)
        bill = t.add("Invoices", {
            "Type": "ACCPAY", "InvoiceNumber": f"B-{i}", "Contact": {"ContactID": supplier["ContactID"],
                                                                       "Name": supplier["Name"]},
            "Date": xero_date(day), "DueDate": xero_date(day + timedelta(days=30)), "Status": "AUTHORISED",
            "LineAmountTypes": "NoTax", "CurrencyCode": "EUR", "CurrencyRate": Decimal(1),
            "LineItems": [{"Description": key, "Quantity": Decimal(1), "UnitAmount": Decimal(amount),
                           "AccountCode": accounts[key]["Code"], "TaxAmount": ZERO, "LineAmount": Decimal(amount)}],
            "SubTotal": Decimal(amount), "TotalTax": ZERO, "Total": Decimal(amount), "AmountDue": Decimal(amount),
            "AmountPaid": ZERO, "AmountCredited": ZERO, "Payments": [], "CreditNotes": [], "HasAttachments": False},
            at=at)
        t.post_journal(day=day, source_type="ACCPAY", source_id=bill["InvoiceID"], reference=f"B-{i}", at=at, lines=[
            (accounts[key], Decimal(amount), ZERO), (accounts["ap"], -Decimal(amount), ZERO)])
    # A sales credit note in euros (a damaged delivery), not yet allocated to an invoice.
    day = today - timedelta(days=45)
    note = t.add("CreditNotes", {
        "Type": "ACCRECCREDIT", "CreditNoteNumber": "CN-0001", "Contact": {"ContactID": customers[1]["ContactID"],
                                                                          "Name": customers[1]["Name"]},
        "Date": xero_date(day), "Status": "AUTHORISED", "LineAmountTypes": "Exclusive", "CurrencyCode": "EUR",
        "CurrencyRate": Decimal(1), "SubTotal": Decimal("100.00"), "TotalTax": Decimal("20.00"),
        "Total": Decimal("120.00"), "RemainingCredit": Decimal("120.00"), "Allocations": [], "HasAttachments": False,
        "LineItems": [{"Description": "Damaged delivery", "Quantity": Decimal(1), "UnitAmount": Decimal("100.00"),
                       "AccountCode": accounts["sales"]["Code"], "TaxAmount": Decimal("20.00"),
                       "LineAmount": Decimal("100.00")}]}, at=at)
    t.post_journal(day=day, source_type="ACCRECCREDIT", source_id=note["CreditNoteID"], reference="CN-0001", at=at,
                   lines=[(accounts["sales"], Decimal("100.00"), Decimal("20.00")),
                          (accounts["vat"], Decimal("20.00"), ZERO), (accounts["ar"], -Decimal("120.00"), ZERO)])
    # Interest received straight into the bank.
    day = today - timedelta(days=35)
    received = t.add("BankTransactions", {
        "Type": "RECEIVE", "Contact": {"ContactID": supplier["ContactID"], "Name": "Bank"}, "Date": xero_date(day),
        "Status": "AUTHORISED", "LineAmountTypes": "NoTax", "CurrencyCode": "EUR", "CurrencyRate": Decimal(1),
        "BankAccount": {"AccountID": accounts["bank"]["AccountID"], "Code": "090", "Name": accounts["bank"]["Name"]},
        "Reference": "Interest", "IsReconciled": True, "SubTotal": Decimal("50.00"), "TotalTax": ZERO,
        "Total": Decimal("50.00"), "LineItems": [{"Description": "Interest", "AccountCode": "270",
                                                   "LineAmount": Decimal("50.00")}]}, at=at)
    t.post_journal(day=day, source_type="CASHREC", source_id=received["BankTransactionID"], reference="Interest",
                   at=at, lines=[(accounts["bank"], Decimal("50.00"), ZERO), (accounts["interest"], -Decimal("50.00"), ZERO)])
    day = today - timedelta(days=30)
    t.post_journal(day=day, source_type="MANJOURNAL", source_id=str(TENANT_ID[:8]) + "-payroll", reference="Salaries",
                   at=at, lines=[(accounts["wages"], Decimal("5200.00"), ZERO), (accounts["bank"], -Decimal("5200.00"), ZERO)])
    return t
