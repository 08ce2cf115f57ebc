"""The Sage business the fake serves: a small, hand-checkable French book (Sage Comptabilité, PCG
nominal codes) — or, with `country="GB"`, the same book on a UK chart whose accounts only carry Sage's
ledger account types (wages among the overheads, which the CFO re-maps to 641).

Every document posts its ledger entries (one transaction each) the way Sage does: a sale credits its
sales account and the output VAT and debits the customers' control account; a purchase the reverse; a
receipt moves the customer's balance to the bank. Drafts and voided invoices post nothing.

The bank account's movements are the ones its ledger account (512000) shows: each customer receipt a
contact payment, the payroll an other payment, on the same transaction as its ledger entries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from integrations.fakes.sage import Business

DEMO_TOKEN = "demo-sage-verrelin"
BUSINESS_ID = "5a1e0c0ffee04b1d8a2f000000000001"

# key: (French nominal code, UK nominal code, label, ledger account type, group)
ACCOUNTS = {
    "services": ("706000", "4000", "Prestations de services", "SALES", "INCOME"),
    "goods": ("707000", "4010", "Ventes de marchandises", "SALES", "INCOME"),
    "purchases": ("607000", "5000", "Achats de marchandises", "DIRECT_EXPENSES", "EXPENSE"),
    "rent": ("613200", "7100", "Locations immobilières", "OVERHEADS", "EXPENSE"),
    "wages": ("641000", "7000", "Rémunérations du personnel", "OVERHEADS", "EXPENSE"),
    "bank": ("512000", "1200", "Banque", "BANK", "ASSET"),
    "customers": ("411000", "1100", "Clients", "CURRENT_ASSETS", "ASSET"),
    "suppliers": ("401000", "2100", "Fournisseurs", "CURRENT_LIABILITY", "LIABILITY"),
    "vat_out": ("445710", "2200", "TVA collectée", "CURRENT_LIABILITY", "LIABILITY"),
    "vat_in": ("445660", "2201", "TVA déductible", "CURRENT_ASSETS", "ASSET"),
}


def _link(resource: str, object_id: str, shown: str = "") -> dict:
    return {"id": object_id, "displayed_as": shown or object_id, "$path": f"/{resource}/{object_id}"}


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))  # Sage sends amounts as decimal strings


def post(b: Business, transaction: str, kind: str, day: date, lines: list[tuple[str, Decimal, Decimal]], *,
         details: str, at: datetime) -> None:
    """The ledger entries of one transaction: (account id, debit, credit) each."""
    for n, (account, debit, credit) in enumerate(lines):
        b.add("ledger_entries", {
            "id": f"{transaction}-{n}", "displayed_as": details, "date": day.isoformat(), "details": details,
            "debit": _money(debit), "credit": _money(credit), "ledger_account": _link("ledger_accounts", account),
            "transaction": _link("transactions", transaction), "transaction_type": {"id": kind, "displayed_as": kind},
            "journal_code": None}, at=at)


def unpost(b: Business, transaction: str, *, at: datetime | None = None) -> None:
    for entry in [e for e in b.objects["ledger_entries"].values() if e["transaction"]["id"] == transaction]:
        b.delete("ledger_entries", entry["id"], at=at)


def bank_movement(b: Business, resource: str, kind: str, transaction: str, day: date, amount: Decimal, *,
                  reference: str, at: datetime, contact: dict | None = None) -> dict:
    """A receipt or payment on the business's bank account as Sage lists it (amounts unsigned)."""
    body = {"id": f"{resource[:2]}-{transaction}", "displayed_as": reference, "date": day.isoformat(),
            "transaction": _link("transactions", transaction), "transaction_type": {"id": kind, "displayed_as": kind},
            "bank_account": _link("bank_accounts", BANK_ACCOUNT_ID, "Compte courant"), "reference": reference,
            "contact": contact, "net_amount": _money(amount), "tax_amount": "0.00", "total_amount": _money(amount)}
    if resource == "contact_payments":
        body |= {"currency": {"id": "EUR"}, "exchange_rate": "1.0", "base_currency_total_amount": _money(amount)}
    return b.add(resource, body, at=at)


BANK_ACCOUNT_ID = "ba-main"


def demo_business(*, today: date | None = None, invoices: int = 12, last_invoice_days_ago: int = 40,
                  country: str = "FR") -> Business:
    today = today or date.today()
    at = datetime.now(UTC) - timedelta(days=2)
    french = country == "FR"
    b = Business(id=BUSINESS_ID, name="Verre & Lin SARL" if french else "Glass & Linen Ltd", country=country,
                 year_end_date=f"{today.year}-12-31")
    accounts: dict[str, str] = {}
    for key, (fr_code, uk_code, label, kind, group) in ACCOUNTS.items():
        account_id = f"la-{key}"
        b.add("ledger_accounts", {
            "id": account_id, "displayed_as": f"{label} ({fr_code if french else uk_code})",
            "nominal_code": int(fr_code if french else uk_code), "name": label, "display_name": label,
            "ledger_account_type": {"id": kind, "displayed_as": kind.title()},
            "ledger_account_group": {"id": group, "displayed_as": group.title()},
            "included_in_chart": True, "visible_in_sales": kind == "SALES"}, at=at)
        accounts[key] = account_id
    b.add("bank_accounts", {
        "id": BANK_ACCOUNT_ID, "displayed_as": "Compte courant (512000)" if french else "Current account (1200)",
        "bank_account_details": {"account_name": "Compte courant" if french else "Current account",
                                 "account_number": "00012345678", "iban": "FR7630006000011234567890189"},
        "ledger_account": _link("ledger_accounts", accounts["bank"]),
        "bank_account_type": {"id": "CHECKING", "displayed_as": "Current"}, "balance": "0.00",
        "nominal_code": int(ACCOUNTS["bank"][0 if french else 1]), "editable": True, "deletable": False}, at=at)
    customers = [b.add("contacts", {"id": f"c-{i}", "displayed_as": name, "name": name,
                                    "contact_types": [{"id": "CUSTOMER", "displayed_as": "Customer"}]}, at=at)
                 for i, name in enumerate(["Hôtel des Arts", "Galerie Mistral", "Maison Corail"])]
    supplier = b.add("contacts", {"id": "v-0", "displayed_as": "Verrerie de Biot", "name": "Verrerie de Biot",
                                  "contact_types": [{"id": "VENDOR", "displayed_as": "Supplier"}]}, at=at)
    for i in range(invoices):
        day = today - timedelta(days=(invoices - 1 - i) * 10 + last_invoice_days_ago)
        customer = customers[i % 3]
        net = Decimal("1000.00") + 100 * i
        tax = (net * Decimal("0.2")).quantize(Decimal("0.01"))
        # Every other invoice paid 20 days later; the one in USD at 0.9 € to the dollar (base amounts in €).
        in_usd = i == 2
        rate = Decimal("0.9") if in_usd else Decimal(1)
        status = "PAID" if i % 2 == 0 and day + timedelta(days=20) <= today else "UNPAID"
        transaction = f"tx-si-{i}"
        invoice = {
            "id": f"si-{i}", "displayed_as": f"FA-{1000 + i}", "invoice_number": f"FA-{1000 + i}",
            "contact": _link("contacts", customer["id"], customer["name"]), "date": day.isoformat(),
            "due_date": (day + timedelta(days=30)).isoformat(),
            "status": {"id": status, "displayed_as": status.title()},
            "currency": {"id": "USD" if in_usd else "EUR"}, "exchange_rate": str(rate),
            "net_amount": _money(net), "tax_amount": _money(tax), "total_amount": _money(net + tax),
            "outstanding_amount": _money(Decimal(0) if status == "PAID" else net + tax),
            "base_currency_net_amount": _money(net * rate), "base_currency_tax_amount": _money(tax * rate),
            "base_currency_total_amount": _money((net + tax) * rate),
            "base_currency_outstanding_amount": _money(Decimal(0) if status == "PAID" else (net + tax) * rate),
            "transaction": _link("transactions", transaction), "payments_allocations": [],
            "invoice_lines": [{"id": f"si-{i}-l", "description": "Luminaires", "net_amount": _money(net),
                               "ledger_account": _link("ledger_accounts", accounts["goods"])}]}
        b.add("sales_invoices", invoice, at=at)
        base_net, base_tax = (net * rate).quantize(Decimal("0.01")), (tax * rate).quantize(Decimal("0.01"))
        post(b, transaction, "SALES_INVOICE", day, [(accounts["customers"], base_net + base_tax, Decimal(0)),
                                                   (accounts["goods"], Decimal(0), base_net),
                                                   (accounts["vat_out"], Decimal(0), base_tax)],
             details=invoice["invoice_number"], at=at)
        if status == "PAID":
            paid = day + timedelta(days=20)
            receipt = f"tx-cr-{i}"
            invoice["payments_allocations"] = [{
                "id": f"pa-{i}", "displayed_as": "Receipt", "date": paid.isoformat(),
                "transaction_type": {"id": "CUSTOMER_RECEIPT", "displayed_as": "Customer Receipt"},
                "amount": invoice["total_amount"], "transaction": _link("transactions", receipt)}]
            post(b, receipt, "CUSTOMER_RECEIPT", paid, [(accounts["bank"], base_net + base_tax, Decimal(0)),
                                                       (accounts["customers"], Decimal(0), base_net + base_tax)],
                 details=f"Règlement {invoice['invoice_number']}", at=at)
            bank_movement(b, "contact_payments", "CUSTOMER_RECEIPT", receipt, paid, base_net + base_tax,
                          reference=f"Règlement {invoice['invoice_number']}", at=at, contact=invoice["contact"])
    # A draft and a voided invoice: kept, never sales, posting nothing.
    for key, status in (("draft", "DRAFT"), ("void", "VOID")):
        b.add("sales_invoices", {
            "id": f"si-{key}", "displayed_as": f"FA-{key}", "invoice_number": "" if key == "draft" else "FA-0999",
            "contact": _link("contacts", customers[0]["id"]), "date": (today - timedelta(days=15)).isoformat(),
            "due_date": (today + timedelta(days=15)).isoformat(), "status": {"id": status, "displayed_as": status.title()},
            "currency": {"id": "EUR"}, "exchange_rate": "1.0", "net_amount": "5000.00", "tax_amount": "1000.00",
            "total_amount": "6000.00", "outstanding_amount": "6000.00" if key == "draft" else "0.00",
            "base_currency_net_amount": "5000.00", "base_currency_tax_amount": "1000.00",
            "base_currency_total_amount": "6000.00",
            "base_currency_outstanding_amount": "6000.00" if key == "draft" else "0.00",
            "void_reason": "Erreur de client" if key == "void" else None, "transaction": None,
            "payments_allocations": []}, at=at)
    # A credit note of 300 € incl. VAT on the second invoice (unpaid), allocated to it.
    credited = b.objects["sales_invoices"]["si-1"]
    credit_day = date.fromisoformat(credited["date"]) + timedelta(days=5)
    if credit_day <= today:
        b.add("sales_credit_notes", {
            "id": "sc-0", "displayed_as": "AV-1", "credit_note_number": "AV-1",
            "contact": credited["contact"], "date": credit_day.isoformat(),
            "status": {"id": "PAID", "displayed_as": "Paid"}, "currency": {"id": "EUR"}, "exchange_rate": "1.0",
            "net_amount": "250.00", "tax_amount": "50.00", "total_amount": "300.00", "outstanding_amount": "0.00",
            "base_currency_net_amount": "250.00", "base_currency_tax_amount": "50.00",
            "base_currency_total_amount": "300.00", "base_currency_outstanding_amount": "0.00",
            "original_invoice_number": credited["invoice_number"], "transaction": _link("transactions", "tx-sc-0"),
            "payments_allocations": []}, at=at)
        post(b, "tx-sc-0", "SALES_CREDIT_NOTE", credit_day, [(accounts["goods"], Decimal("250.00"), Decimal(0)),
                                                            (accounts["vat_out"], Decimal("50.00"), Decimal(0)),
                                                            (accounts["customers"], Decimal(0), Decimal("300.00"))],
             details="AV-1", at=at)
        remaining = Decimal(credited["total_amount"]) - Decimal("300.00")
        credited.update(status={"id": "PART_PAID", "displayed_as": "Part Paid"}, outstanding_amount=_money(remaining),
                        base_currency_outstanding_amount=_money(remaining), payments_allocations=[{
                            "id": "pa-sc-0", "displayed_as": "Allocation", "date": credit_day.isoformat(),
                            "transaction_type": {"id": "CUSTOMER_ALLOCATION", "displayed_as": "Customer Allocation"},
                            "amount": "300.00", "transaction": _link("transactions", "tx-ca-0")}])
    for i, (key, amount) in enumerate([("purchases", "4200.00"), ("rent", "1800.00")]):
        day = today - timedelta(days=60 + i)
        net = Decimal(amount)
        tax = (net * Decimal("0.2")).quantize(Decimal("0.01"))
        transaction = f"tx-pi-{i}"
        b.add("purchase_invoices", {
            "id": f"pi-{i}", "displayed_as": f"VB-{i}", "vendor_reference": f"VB-{i}",
            "contact": _link("contacts", supplier["id"], supplier["name"]), "date": day.isoformat(),
            "due_date": (day + timedelta(days=30)).isoformat(), "status": {"id": "UNPAID", "displayed_as": "Unpaid"},
            "currency": {"id": "EUR"}, "exchange_rate": "1.0", "net_amount": _money(net), "tax_amount": _money(tax),
            "total_amount": _money(net + tax), "outstanding_amount": _money(net + tax),
            "base_currency_net_amount": _money(net), "base_currency_tax_amount": _money(tax),
            "base_currency_total_amount": _money(net + tax), "base_currency_outstanding_amount": _money(net + tax),
            "transaction": _link("transactions", transaction), "payments_allocations": []}, at=at)
        post(b, transaction, "PURCHASE_INVOICE", day, [(accounts[key], net, Decimal(0)),
                                                      (accounts["vat_in"], tax, Decimal(0)),
                                                      (accounts["suppliers"], Decimal(0), net + tax)],
             details=f"VB-{i}", at=at)
    post(b, "tx-jn-0", "JOURNAL", today - timedelta(days=30), [(accounts["wages"], Decimal("5200.00"), Decimal(0)),
                                                              (accounts["bank"], Decimal(0), Decimal("5200.00"))],
         details="Salaires", at=at)
    bank_movement(b, "other_payments", "OTHER_PAYMENT", "tx-jn-0", today - timedelta(days=30), Decimal("5200.00"),
                  reference="Salaires", at=at)
    b.objects["bank_accounts"][BANK_ACCOUNT_ID]["balance"] = _money(sum(
        (Decimal(m["total_amount"]) * (1 if m["transaction_type"]["id"] == "CUSTOMER_RECEIPT" else -1)
         for r in ("contact_payments", "other_payments") for m in b.objects[r].values()), Decimal(0)))
    return b
