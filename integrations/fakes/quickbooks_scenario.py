"""The QuickBooks company the fake serves: a small, hand-checkable book (an English subsidiary of a
French group, books in EUR) whose accounts carry QuickBooks' own types, one of them left unmapped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from integrations.fakes.quickbooks import Company

DEMO_TOKEN = "demo-quickbooks-lumen-uk"
REALM_ID = "9130350000000001"


def _ref(value: str, name: str = "") -> dict:
    return {"value": value, "name": name} if name else {"value": value}


def demo_company(*, today: date | None = None, invoices: int = 12, last_invoice_days_ago: int = 40,
                 credit_memos: bool = True) -> Company:
    """`credit_memos=False`: the same books without the two credit memos (and the invoices they settle open)."""
    today = today or date.today()
    at = datetime.now(UTC) - timedelta(days=2)
    c = Company(realm_id=REALM_ID, name="Lumen Home Ltd", fiscal_year_start_month="April")
    accounts = {
        "sales": c.add("Account", {"Id": "79", "Name": "Sales of Product Income", "AcctNum": "4000",
                                   "AccountType": "Income", "AccountSubType": "SalesOfProductIncome",
                                   "Classification": "Revenue", "Active": True}, at=at),
        "services": c.add("Account", {"Id": "80", "Name": "Services", "AcctNum": "4100", "AccountType": "Income",
                                      "AccountSubType": "ServiceFeeIncome", "Classification": "Revenue",
                                      "Active": True}, at=at),
        "cogs": c.add("Account", {"Id": "81", "Name": "Cost of Goods Sold", "AcctNum": "5000",
                                  "AccountType": "Cost of Goods Sold", "AccountSubType": "SuppliesMaterialsCogs",
                                  "Classification": "Expense", "Active": True}, at=at),
        "rent": c.add("Account", {"Id": "82", "Name": "Rent", "AcctNum": "6100", "AccountType": "Expense",
                                  "AccountSubType": "RentOrLeaseOfBuildings", "Classification": "Expense",
                                  "Active": True}, at=at),
        "payroll": c.add("Account", {"Id": "83", "Name": "Payroll Expenses", "AcctNum": "6200",
                                     "AccountType": "Expense", "AccountSubType": "PayrollExpenses",
                                     "Classification": "Expense", "Active": True}, at=at),
        # A type the default table leaves to the CFO: "Other Miscellaneous Service Cost".
        "misc": c.add("Account", {"Id": "84", "Name": "Sundry", "AcctNum": "6900", "AccountType": "Expense",
                                  "AccountSubType": "OtherMiscellaneousServiceCost", "Classification": "Expense",
                                  "Active": True}, at=at),
        "bank": c.add("Account", {"Id": "35", "Name": "Business Current Account", "AcctNum": "1200",
                                  "AccountType": "Bank", "AccountSubType": "Checking", "Classification": "Asset",
                                  "Active": True}, at=at),
        "ar": c.add("Account", {"Id": "36", "Name": "Accounts Receivable (A/R)", "AcctNum": "1100",
                                "AccountType": "Accounts Receivable", "AccountSubType": "AccountsReceivable",
                                "Classification": "Asset", "Active": True}, at=at),
        "ap": c.add("Account", {"Id": "33", "Name": "Accounts Payable (A/P)", "AcctNum": "2100",
                                "AccountType": "Accounts Payable", "AccountSubType": "AccountsPayable",
                                "Classification": "Liability", "Active": True}, at=at),
        "card": c.add("Account", {"Id": "41", "Name": "Company Visa", "AcctNum": "2200", "AccountType": "Credit Card",
                                  "AccountSubType": "CreditCard", "Classification": "Liability", "Active": True}, at=at),
        "undeposited": c.add("Account", {"Id": "4", "Name": "Undeposited Funds", "AcctNum": "1300",
                                         "AccountType": "Other Current Asset", "AccountSubType": "UndepositedFunds",
                                         "Classification": "Asset", "Active": True}, at=at),
        "office": c.add("Account", {"Id": "85", "Name": "Office Expenses", "AcctNum": "6300", "AccountType": "Expense",
                                    "AccountSubType": "OfficeGeneralAdministrativeExpenses",
                                    "Classification": "Expense", "Active": True}, at=at),
        "vat": c.add("Account", {"Id": "37", "Name": "VAT Control", "AcctNum": "2300",
                                 "AccountType": "Other Current Liability", "AccountSubType": "GlobalTaxPayable",
                                 "Classification": "Liability", "Active": True}, at=at),
        "interest": c.add("Account", {"Id": "86", "Name": "Interest Earned", "AcctNum": "4900",
                                      "AccountType": "Other Income", "AccountSubType": "InterestEarned",
                                      "Classification": "Revenue", "Active": True}, at=at),
    }
    customers = [c.add("Customer", {"Id": str(100 + i), "DisplayName": name, "Active": True}, at=at)
                 for i, name in enumerate(["Harbour Interiors", "Kensington Lights", "Bristol Design Co"])]
    vendor = c.add("Vendor", {"Id": "200", "DisplayName": "Lumen Manufacturing SAS", "Active": True}, at=at)
    for i in range(invoices):
        day = today - timedelta(days=(invoices - 1 - i) * 10 + last_invoice_days_ago)  # one every 10 days
        customer = customers[i % 3]
        amount = Decimal("1000.00") + 100 * i
        # Paid 20 days later, except every other one of the last twelve (receivables a few months old).
        is_paid = (i % 2 == 0 or i < invoices - 12) and day + timedelta(days=20) <= today
        invoice = c.add("Invoice", {
            "Id": str(1000 + i), "DocNumber": f"UK-{1000 + i}", "TxnDate": day.isoformat(),
            "DueDate": (day + timedelta(days=30)).isoformat(), "CustomerRef": _ref(customer["Id"], customer["DisplayName"]),
            "CurrencyRef": _ref("GBP", "British Pound Sterling"), "ExchangeRate": Decimal("1.15"),
            "TotalAmt": amount * Decimal("1.2"), "TxnTaxDetail": {"TotalTax": amount * Decimal("0.2")},
            "Balance": Decimal(0) if is_paid else amount * Decimal("1.2"),
            "Line": [{"Id": "1", "LineNum": 1, "Amount": amount, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": _ref("1", "Lamp"),
                                              "ItemAccountRef": _ref(accounts["sales"]["Id"], "Sales")}},
                     {"Amount": amount, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}],
        }, at=at)
        if is_paid:
            paid = day + timedelta(days=20)
            invoice["LinkedTxn"] = [{"TxnId": str(3000 + i), "TxnType": "Payment"}]
            c.add("Payment", {"Id": str(3000 + i), "TxnDate": paid.isoformat(), "TotalAmt": invoice["TotalAmt"],
                              "CustomerRef": invoice["CustomerRef"], "CurrencyRef": invoice["CurrencyRef"],
                              "ExchangeRate": Decimal("1.15"), "DepositToAccountRef": _ref(accounts["bank"]["Id"]),
                              "Line": [{"Amount": invoice["TotalAmt"],
                                        "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]}, at=at)
    for i, (key, amount) in enumerate([("cogs", "4200.00"), ("rent", "1800.00"), ("misc", "350.00")]):
        day = today - timedelta(days=60 + i)
        bill = c.add("Bill", {"Id": str(5000 + i), "DocNumber": f"B-{i}", "TxnDate": day.isoformat(),
                              "DueDate": (day + timedelta(days=30)).isoformat(), "VendorRef": _ref(vendor["Id"]),
                              "CurrencyRef": _ref("EUR", "Euro"), "TotalAmt": Decimal(amount), "Balance": Decimal(0),
                              "Line": [{"Id": "1", "Amount": Decimal(amount),
                                        "DetailType": "AccountBasedExpenseLineDetail",
                                        "AccountBasedExpenseLineDetail": {"AccountRef": _ref(accounts[key]["Id"])}}]},
                     at=at)
        # Paid 25 days later: by cheque from the bank, the last one with the company card.
        by_card = key == "misc"
        bill["LinkedTxn"] = [{"TxnId": str(5500 + i), "TxnType": "BillPayment"}]
        c.add("BillPayment", {
            "Id": str(5500 + i), "TxnDate": (day + timedelta(days=25)).isoformat(), "VendorRef": _ref(vendor["Id"]),
            "CurrencyRef": _ref("EUR", "Euro"), "TotalAmt": Decimal(amount),
            "PayType": "CreditCard" if by_card else "Check",
            **({"CreditCardPayment": {"CCAccountRef": _ref(accounts["card"]["Id"])}} if by_card else
               {"CheckPayment": {"BankAccountRef": _ref(accounts["bank"]["Id"]), "PrintStatus": "NotSet"}}),
            "Line": [{"Amount": Decimal(amount), "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]}, at=at)
    _bank_documents(c, accounts, today=today, at=at)
    # Entities the connector does not read, which only the GeneralLedger report shows: a cash sale, and the
    # company card settled from the bank.
    c.other_postings += [
        {"TxnType": "Sales Receipt", "Id": "9000", "TxnDate": (today - timedelta(days=12)).isoformat(),
         "DocNumber": "SR-1", "Memo": "Showroom sale",
         "Lines": [("35", Decimal("120.00"), 0), ("80", 0, Decimal("100.00")), ("37", 0, Decimal("20.00"))]},
        {"TxnType": "Transfer", "Id": "9001", "TxnDate": (today - timedelta(days=10)).isoformat(), "DocNumber": "",
         "Memo": "Card statement", "Lines": [("41", Decimal("130.00"), 0), ("35", 0, Decimal("130.00"))]}]
    day = today - timedelta(days=30)
    c.add("JournalEntry", {"Id": "7000", "DocNumber": "PAY-1", "TxnDate": day.isoformat(),
                           "CurrencyRef": _ref("EUR", "Euro"), "Line": [
        {"Id": "0", "Amount": Decimal("5200.00"), "DetailType": "JournalEntryLineDetail", "Description": "Salaries",
         "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": _ref(accounts["payroll"]["Id"])}},
        {"Id": "1", "Amount": Decimal("5200.00"), "DetailType": "JournalEntryLineDetail", "Description": "Salaries",
         "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": _ref(accounts["bank"]["Id"])}}]}, at=at)
    if credit_memos:
        _credit_memos(c, accounts, today=today, at=at)
    return c


def _credit_memos(c: Company, accounts: dict, *, today: date, at: datetime) -> None:
    """Two credit memos, each applied to an open invoice by a Payment of 0 (how QuickBooks links them):
    200 GBP + VAT off the first open invoice (UK-1001 in the tests' book), and the whole of the fourth (UK-1007)."""
    unpaid = [inv for inv in sorted(c.objects["Invoice"].values(), key=lambda o: int(o["Id"])) if inv["Balance"]]
    for n, invoice in enumerate(unpaid[0:4:3]):
        net = Decimal("200.00") if n == 0 else invoice["Line"][0]["Amount"]
        total = net * Decimal("1.2")
        day = date.fromisoformat(invoice["TxnDate"]) + timedelta(days=15)
        memo = c.add("CreditMemo", {
            "Id": str(4000 + n), "DocNumber": f"CM-{4000 + n}", "TxnDate": day.isoformat(),
            "CustomerRef": invoice["CustomerRef"], "CurrencyRef": invoice["CurrencyRef"],
            "ExchangeRate": invoice["ExchangeRate"], "TotalAmt": total, "TxnTaxDetail": {"TotalTax": net * Decimal("0.2")},
            "Balance": Decimal(0), "RemainingCredit": Decimal(0),
            "Line": [{"Id": "1", "LineNum": 1, "Amount": net, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": _ref("1", "Lamp"),
                                              "ItemAccountRef": _ref(accounts["sales"]["Id"], "Sales")}},
                     {"Amount": net, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}]}, at=at)
        applied = c.add("Payment", {
            "Id": str(3900 + n), "TxnDate": day.isoformat(), "TotalAmt": Decimal(0),
            "CustomerRef": invoice["CustomerRef"], "CurrencyRef": invoice["CurrencyRef"],
            "ExchangeRate": invoice["ExchangeRate"],
            "Line": [{"Amount": total, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]},
                     {"Amount": total, "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]}]}, at=at)
        invoice["Balance"] = invoice["Balance"] - total
        invoice["LinkedTxn"] = [*invoice.get("LinkedTxn", []), {"TxnId": applied["Id"], "TxnType": "Payment"}]


def _bank_documents(c: Company, accounts: dict, *, today: date, at: datetime) -> None:
    """Money in and out of the bank that no invoice or bill carries: a Deposit (bank interest), Purchases paid
    by cheque, in cash from the bank and with the company card."""
    c.add("Deposit", {
        "Id": "8000", "TxnDate": (today - timedelta(days=20)).isoformat(), "CurrencyRef": _ref("EUR", "Euro"),
        "DepositToAccountRef": _ref(accounts["bank"]["Id"]), "TotalAmt": Decimal("45.00"),
        "Line": [{"Id": "1", "LineNum": 1, "Amount": Decimal("45.00"), "DetailType": "DepositLineDetail",
                  "Description": "Interest", "DepositLineDetail": {"AccountRef": _ref(accounts["interest"]["Id"])}}]},
        at=at)
    for n, (kind, account, amount) in enumerate([("Check", "bank", "240.00"), ("Cash", "bank", "60.00"),
                                                  ("CreditCard", "card", "130.00")]):
        c.add("Purchase", {
            "Id": str(8100 + n), "TxnDate": (today - timedelta(days=15 + n)).isoformat(),
            "CurrencyRef": _ref("EUR", "Euro"), "PaymentType": kind, "AccountRef": _ref(accounts[account]["Id"]),
            "TotalAmt": Decimal(amount), "Credit": False,
            "Line": [{"Id": "1", "Amount": Decimal(amount), "DetailType": "AccountBasedExpenseLineDetail",
                      "Description": "Office supplies",
                      "AccountBasedExpenseLineDetail": {"AccountRef": _ref(accounts["office"]["Id"])}}]}, at=at)


def add_monthly_goods_purchases(c: Company, *, today: date, share: Decimal = Decimal("0.55")) -> int:
    """The demo's stock: one bill a month from the factory for `share` of the month's sales (in EUR, the
    company's currency), paid by cheque 30 days later, so the gross margin reads as a distributor's, not 98 %.
    Returns the number of bills added."""
    at = datetime.now(UTC) - timedelta(days=2)
    sales: dict[date, Decimal] = {}
    for invoice in c.objects["Invoice"].values():
        day = date.fromisoformat(invoice["TxnDate"])
        net = invoice["TotalAmt"] - invoice["TxnTaxDetail"]["TotalTax"]
        month = day.replace(day=1)
        sales[month] = sales.get(month, Decimal(0)) + net * invoice["ExchangeRate"]
    added = 0
    for n, (month, amount) in enumerate(sorted(sales.items())):
        day = month + timedelta(days=27)
        if day > today:
            continue
        cost = (amount * share).quantize(Decimal("0.01"))
        bill = c.add("Bill", {"Id": str(6000 + n), "DocNumber": f"PO-{month:%Y%m}", "TxnDate": day.isoformat(),
                              "DueDate": (day + timedelta(days=30)).isoformat(), "VendorRef": _ref("200"),
                              "CurrencyRef": _ref("EUR", "Euro"), "TotalAmt": cost, "Balance": cost,
                              "Line": [{"Id": "1", "Amount": cost, "DetailType": "AccountBasedExpenseLineDetail",
                                        "AccountBasedExpenseLineDetail": {"AccountRef": _ref("81")}}]}, at=at)
        paid = day + timedelta(days=30)
        if paid <= today:
            bill["Balance"] = Decimal(0)
            bill["LinkedTxn"] = [{"TxnId": str(6500 + n), "TxnType": "BillPayment"}]
            c.add("BillPayment", {
                "Id": str(6500 + n), "TxnDate": paid.isoformat(), "VendorRef": _ref("200"),
                "CurrencyRef": _ref("EUR", "Euro"), "TotalAmt": cost, "PayType": "Check",
                "CheckPayment": {"BankAccountRef": _ref("35"), "PrintStatus": "NotSet"},
                "Line": [{"Amount": cost, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]}, at=at)
        added += 1
    return added


def add_sales_to_the_parent(c: Company, *, today: date, parent: str = "Maison Lumen", months: int = 12,
                            amount: Decimal = Decimal("3000.00")) -> int:
    """The demo's intercompany flow: a monthly invoice of UK stock re-sold to the French parent (in EUR,
    exported, so no VAT), on the 20th, paid 30 days later; the last month's is still owed at its end.
    Returns the number of invoices added."""
    at = datetime.now(UTC) - timedelta(days=2)
    customer = c.add("Customer", {"Id": "110", "DisplayName": parent, "Active": True}, at=at)
    added = 0
    for n in range(months):  # the `months` months before today's, the oldest first
        year, index = divmod(today.year * 12 + today.month - 1 - (months - n), 12)
        month = date(year, index + 1, 1)
        day = month + timedelta(days=19)
        invoice = c.add("Invoice", {
            "Id": str(1500 + n), "DocNumber": f"UK-IC-{month:%Y%m}", "TxnDate": day.isoformat(),
            "DueDate": (day + timedelta(days=30)).isoformat(),
            "CustomerRef": _ref(customer["Id"], customer["DisplayName"]), "CurrencyRef": _ref("EUR", "Euro"),
            "ExchangeRate": Decimal(1), "TotalAmt": amount, "TxnTaxDetail": {"TotalTax": Decimal(0)},
            "Balance": amount,
            "Line": [{"Id": "1", "LineNum": 1, "Amount": amount, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": _ref("1", "Lamp"), "ItemAccountRef": _ref("79", "Sales")}},
                     {"Amount": amount, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}],
        }, at=at)
        paid = day + timedelta(days=30)
        if paid <= today:
            invoice["Balance"] = Decimal(0)
            invoice["LinkedTxn"] = [{"TxnId": str(3500 + n), "TxnType": "Payment"}]
            c.add("Payment", {"Id": str(3500 + n), "TxnDate": paid.isoformat(), "TotalAmt": amount,
                              "CustomerRef": invoice["CustomerRef"], "CurrencyRef": invoice["CurrencyRef"],
                              "ExchangeRate": Decimal(1), "DepositToAccountRef": _ref("35"),
                              "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"],
                                                                         "TxnType": "Invoice"}]}]}, at=at)
        added += 1
    return added
