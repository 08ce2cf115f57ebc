"""The demo's accounting books, generated deterministically from a seed (PRODUCT.md, "The demo").

24 months up to the current month, for three companies, in Pennylane's v2 shapes (amounts as
strings, links as {"id", "url"}): Maison Lumen (B2C e-commerce, Christmas peak ≈ 2.5×, returns ≈ 6 %
as credit notes), Nuage Analytics (B2B SaaS, billing subscriptions with ≈ 2 % monthly churn) and
Atelier Bois Fin (furniture maker: timber and hardware suppliers, payroll, a late-paying wholesale
customer, cash tight in summer). Every invoice has coherent French PCG ledger lines (VAT 20 %),
paid invoices have their bank transaction, some invoices are late, and a few records are malformed
on purpose so that a sync shows rejected records with their reasons.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
VAT = Decimal("0.20")

RESOURCES = (
    "customers", "suppliers", "customer_invoices", "supplier_invoices", "ledger_accounts", "journals",
    "ledger_entry_lines", "bank_accounts", "transactions", "fiscal_years", "billing_subscriptions",
)
CHANGELOG_RESOURCES = ("customers", "suppliers", "customer_invoices", "supplier_invoices",
                       "ledger_entry_lines", "transactions")

ACCOUNTS = {
    "401000": "Fournisseurs", "411000": "Clients", "421000": "Personnel - rémunérations dues",
    "431000": "Sécurité sociale", "44566": "TVA déductible sur ABS", "44571": "TVA collectée",
    "512000": "Banque", "601000": "Achats de matières premières", "606100": "Fournitures non stockables",
    "607000": "Achats de marchandises", "613200": "Locations immobilières", "622600": "Honoraires",
    "623000": "Publicité", "624100": "Transports sur achats", "626000": "Frais postaux et télécom",
    "641000": "Rémunérations du personnel", "645100": "Cotisations URSSAF", "706000": "Prestations de services",
    "707000": "Ventes de marchandises", "701000": "Ventes de produits finis", "709000": "Rabais, remises",
    "709700": "Rabais, remises sur ventes de marchandises", "101000": "Capital",
    "110000": "Report à nouveau",
    # The rest of a real P&L: depreciation, financial and exceptional items, corporate tax.
    "164000": "Emprunts auprès des établissements de crédit", "281500": "Amortissements des installations",
    "444000": "État - impôt sur les bénéfices", "661100": "Intérêts des emprunts",
    "681100": "Dotations aux amortissements", "671000": "Charges exceptionnelles sur opérations de gestion",
    "695000": "Impôt sur les bénéfices", "768000": "Autres produits financiers",
    "771000": "Produits exceptionnels sur opérations de gestion",
}
CORPORATE_TAX_RATE = Decimal("0.25")
JOURNALS = [("VT", "Ventes"), ("HA", "Achats"), ("BQ", "Banque"), ("OD", "Opérations diverses"),
            ("AN", "À-nouveaux")]


def money(value: Decimal | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _ts(d: date, hour: int = 10) -> str:
    return datetime.combine(d, time(hour), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def month_starts(today: date, months: int = 24) -> list[date]:
    y, m = today.year, today.month
    out = []
    for _ in range(months):
        out.append(date(y, m, 1))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return list(reversed(out))


@dataclass
class Book:
    """One Pennylane company: its objects per resource (id → object) and its changelog."""

    company_id: int
    name: str
    key: str
    today: date
    objects: dict[str, dict[int, dict]] = field(default_factory=lambda: {r: {} for r in RESOURCES})
    changelog: list[dict] = field(default_factory=list)
    _next: int = 0
    builder: Any = None  # the scenario's builder, kept so the book can grow day by day (grow_until)
    revenue_account: str = "706000"
    # invoice id (customer or supplier) → ids of the bank transactions matched to it; → its payments (v2 shapes)
    matches: dict[int, list[int]] = field(default_factory=dict)
    payments: dict[int, list[dict]] = field(default_factory=dict)

    def new_id(self) -> int:
        self._next += 1
        return self.company_id * 1_000_000 + self._next

    def url(self, resource: str, obj_id: int) -> dict:
        return {"id": obj_id, "url": f"https://app.pennylane.com/api/external/v2/{resource}/{obj_id}"}

    def add(self, resource: str, obj: dict, *, at: date | None = None) -> dict:
        obj.setdefault("id", self.new_id())
        stamp = _ts(at or self.today)
        obj.setdefault("created_at", stamp)
        obj.setdefault("updated_at", stamp)
        self.objects[resource][obj["id"]] = obj
        if resource in CHANGELOG_RESOURCES:
            self.log(resource, obj["id"], "insert", obj["updated_at"])
        return obj

    def log(self, resource: str, obj_id: int, operation: str, processed_at: str) -> None:
        self.changelog.append({"seq": len(self.changelog) + 1, "resource": resource, "id": obj_id,
                               "operation": operation, "processed_at": processed_at,
                               "created_at": processed_at, "updated_at": processed_at})


class _Builder:
    def __init__(self, book: Book, rng: random.Random):
        self.b = book
        self.rng = rng
        self.accounts = {}
        for number, label in ACCOUNTS.items():
            acc = book.add("ledger_accounts", {"number": number, "label": label, "vat_rate": "", "country_alpha2": "FR",
                                               "enabled": True}, at=book.today - timedelta(days=760))
            self.accounts[number] = acc["id"]
        self.journals = {}
        for code, label in JOURNALS:
            j = book.add("journals", {"code": code, "label": label}, at=book.today - timedelta(days=760))
            self.journals[code] = j["id"]
        self.bank = book.add("bank_accounts", {"name": "Compte courant", "currency": "EUR"},
                             at=book.today - timedelta(days=760))
        self.balance = Decimal(0)
        self.result: dict[date, Decimal] = {}  # pre-tax result booked per month (classes 6 and 7, tax excluded)
        self.tax_provisioned: dict[date, Decimal] = {}  # corporate tax provisioned, per fiscal year start
        self.fy_start = 1

    def line(self, d: date, number: str, journal: str, label: str, debit: Decimal, credit: Decimal, entry_id: int):
        b = self.b
        if number[0] in "67" and not number.startswith("695"):
            month = d.replace(day=1)
            self.result[month] = self.result.get(month, Decimal(0)) + money(credit) - money(debit)
        b.add("ledger_entry_lines", {
            "date": d.isoformat(), "label": label, "debit": f"{money(debit):.2f}", "credit": f"{money(credit):.2f}",
            "ledger_account": b.url("ledger_accounts", self.accounts[number]),
            "journal": b.url("journals", self.journals[journal]),
            "ledger_entry": {"id": entry_id, "url": f"https://app.pennylane.com/api/external/v2/ledger_entries/{entry_id}"},
        }, at=min(d, b.today))

    def transaction(self, d: date, amount: Decimal, label: str, *, at: date | None = None) -> dict:
        self.balance += amount
        return self.b.add("transactions", {
            "date": d.isoformat(), "amount": f"{money(amount):.2f}", "currency_amount": f"{money(amount):.2f}",
            "label": label, "currency": "EUR", "bank_account": self.b.url("bank_accounts", self.bank["id"]),
            "outstanding_balance": None, "archived_at": None, "currency_fee": None, "fee": None,
            "journal_id": self.journals["BQ"], "categories": [],
        }, at=at or min(d, self.b.today))

    def pay(self, invoice: dict, amount: Decimal, on: date, *, recorded: date | None = None) -> dict:
        """The customer pays `amount` incl. VAT on `on` (a bank transfer matched to the invoice), which
        Pennylane records on `recorded` (default: that day; later for a payment synced late)."""
        b = self.b
        amount = money(amount)
        recorded = recorded or on
        number = invoice["invoice_number"]
        entry = b.new_id()
        self.line(on, "512000", "BQ", f"Règlement {number}", amount, 0, entry)
        self.line(on, "411000", "BQ", f"Règlement {number}", 0, amount, entry)
        customer = b.objects["customers"].get((invoice.get("customer") or {}).get("id"), {})
        tx = self.transaction(on, amount, f"VIR {customer.get('name', '')[:30]} {number}", at=min(recorded, b.today))
        b.matches.setdefault(invoice["id"], []).append(tx["id"])
        remaining = money(Decimal(invoice["remaining_amount_with_tax"]) - amount)
        share = remaining / Decimal(invoice["amount"]) if Decimal(invoice["amount"]) else Decimal(0)
        invoice["remaining_amount_with_tax"] = f"{max(remaining, Decimal(0)):.2f}"
        invoice["remaining_amount_without_tax"] = f"{money(Decimal(invoice['currency_amount_before_tax']) * share):.2f}"
        if remaining <= 0:
            invoice["paid"], invoice["status"] = True, "paid"
        stamp = _ts(min(recorded, b.today), 12)
        invoice["updated_at"] = stamp
        b.log("customer_invoices", invoice["id"], "update", stamp)
        return tx

    def opening_balance(self, d: date, cash: Decimal) -> None:
        """The bank balance brought forward when the history starts, so cash is not counted from zero."""
        entry = self.b.new_id()
        self.line(d, "512000", "AN", "À-nouveau banque", cash, 0, entry)
        self.line(d, "110000", "AN", "À-nouveau banque", 0, cash, entry)
        self.transaction(d, cash, "SOLDE REPORTE")

    def customer(self, name: str, *, individual: bool, at: date, **extra) -> dict:
        obj = {"name": name, "customer_type": "individual" if individual else "company",
               "billing_address": {"country_alpha2": "FR"}, "external_reference": f"CUST-{self.b._next + 1}", **extra}
        return self.b.add("customers", obj, at=at)

    def customer_invoice(self, *, customer: dict, d: date, excl: Decimal, revenue_account: str, terms: int,
                         pay_delay: int | None, credit_of: dict | None = None, subscription: dict | None = None,
                         state: str | None = None, refund: bool = True):
        """A customer invoice (or, with `credit_of`, a credit note) with its ledger lines and, when paid
        by today, its bank transaction matched to it. `state` "draft" or "archived" makes one that is
        not a sale: a draft has no ledger lines and is never paid."""
        b = self.b
        excl = money(excl)
        tax = money(excl * VAT)
        incl = excl + tax
        deadline = d + timedelta(days=terms)
        paid_on = d + timedelta(days=pay_delay) if pay_delay is not None else None
        is_paid = paid_on is not None and paid_on <= b.today
        if state == "draft":
            paid_on, is_paid = None, False
        if state is not None:
            status = state
        elif credit_of is not None:
            status = "credit_note"
        elif is_paid:
            status = "paid"
        elif deadline < b.today:
            status = "late"
        else:
            status = "upcoming"
        inv_id = b.new_id()
        entry_id = b.new_id()
        number = f"F-{d.year}-{inv_id % 1_000_000:05d}"
        sign = Decimal(-1) if credit_of is not None else Decimal(1)
        obj = {
            "id": inv_id, "label": f"Facture {number}", "invoice_number": number, "currency": "EUR",
            "amount": f"{sign * incl:.2f}", "currency_amount": f"{sign * incl:.2f}",
            "currency_amount_before_tax": f"{sign * excl:.2f}", "exchange_rate": "1.0",
            "currency_tax": f"{sign * tax:.2f}", "tax": f"{sign * tax:.2f}",
            "date": d.isoformat(), "deadline": deadline.isoformat(), "paid": is_paid or credit_of is not None,
            "status": status, "draft": state == "draft", "language": "fr_FR",
            "remaining_amount_with_tax": "0.00" if (is_paid or credit_of is not None) else f"{incl:.2f}",
            "remaining_amount_without_tax": "0.00" if (is_paid or credit_of is not None) else f"{excl:.2f}",
            "customer": b.url("customers", customer["id"]),
            "credited_invoice": b.url("customer_invoices", credit_of["id"]) if credit_of else None,
            "billing_subscription": b.url("billing_subscriptions", subscription["id"]) if subscription else None,
            "ledger_entry": {"id": entry_id},
            "invoice_lines": {"url": f"https://app.pennylane.com/api/external/v2/customer_invoices/{inv_id}/invoice_lines"},
            "payments": {"url": f"https://app.pennylane.com/api/external/v2/customer_invoices/{inv_id}/payments"},
            "external_reference": number, "archived_at": _ts(min(d, b.today), 12) if state == "archived" else None,
        }
        updated = paid_on if is_paid else d
        obj["created_at"] = _ts(min(d, b.today))
        obj["updated_at"] = _ts(min(updated, b.today), 11)
        b.add("customer_invoices", obj, at=d)
        if state == "draft":
            return obj
        if credit_of is None:
            self.line(d, "411000", "VT", number, incl, 0, entry_id)
            self.line(d, revenue_account, "VT", number, 0, excl, entry_id)
            self.line(d, "44571", "VT", number, 0, tax, entry_id)
        else:
            # Rebates on goods for resale go to 7097, so they reduce the commercial margin, not production.
            rebate_account = "709700" if revenue_account.startswith("707") else "709000"
            self.line(d, "411000", "VT", number, 0, incl, entry_id)
            self.line(d, rebate_account, "VT", number, excl, 0, entry_id)
            self.line(d, "44571", "VT", number, tax, 0, entry_id)
        if is_paid and credit_of is None:
            pay_entry = b.new_id()
            self.line(paid_on, "512000", "BQ", f"Règlement {number}", incl, 0, pay_entry)
            self.line(paid_on, "411000", "BQ", f"Règlement {number}", 0, incl, pay_entry)
            tx = self.transaction(paid_on, incl, f"VIR {customer['name'][:30]} {number}")
            b.matches[inv_id] = [tx["id"]]
        if credit_of is not None and refund:
            refund_on = min(d + timedelta(days=3), b.today)
            refund_entry = b.new_id()
            self.line(refund_on, "411000", "BQ", f"Remboursement {number}", incl, 0, refund_entry)
            self.line(refund_on, "512000", "BQ", f"Remboursement {number}", 0, incl, refund_entry)
            self.transaction(refund_on, -incl, f"REMB {number}")
        return obj

    def record_payment(self, invoice: dict, amount: Decimal, on: date, *, status: str = "paid_out") -> dict:
        """A payment Pennylane collected itself (card, direct debit), not matched to a bank transaction."""
        b = self.b
        amount = money(amount)
        payment = {"id": b.new_id(), "label": f"Paiement {invoice['invoice_number']}", "currency": "EUR",
                   "currency_amount": f"{amount:.2f}", "status": status,
                   "created_at": _ts(min(on, b.today), 9), "updated_at": _ts(min(on, b.today), 9)}
        b.payments.setdefault(invoice["id"], []).append(payment)
        if status in ("found", "confirmed", "paid_out"):
            remaining = money(Decimal(invoice["remaining_amount_with_tax"]) - amount)
            invoice["remaining_amount_with_tax"] = f"{max(remaining, Decimal(0)):.2f}"
            if remaining <= 0:
                invoice["paid"], invoice["status"] = True, "paid"
            invoice["updated_at"] = _ts(min(on, b.today), 12)
            b.log("customer_invoices", invoice["id"], "update", invoice["updated_at"])
        return payment

    def cancel(self, invoice: dict, on: date) -> dict:
        """Cancel an unpaid invoice: Pennylane issues a credit note for its whole amount and marks it cancelled."""
        customer = self.b.objects["customers"][invoice["customer"]["id"]]
        note = self.customer_invoice(customer=customer, d=on, excl=Decimal(invoice["currency_amount_before_tax"]),
                                     revenue_account=self.b.revenue_account, terms=0, pay_delay=0, credit_of=invoice,
                                     refund=False)
        invoice.update(status="cancelled", paid=False, remaining_amount_with_tax="0.00",
                       remaining_amount_without_tax="0.00", updated_at=_ts(min(on, self.b.today), 12))
        self.b.log("customer_invoices", invoice["id"], "update", invoice["updated_at"])
        return note

    def credit(self, invoice: dict, excl: Decimal, on: date) -> dict:
        """A credit note for part of an invoice still due (a discount after a complaint): it settles that part."""
        customer = self.b.objects["customers"][invoice["customer"]["id"]]
        b = self.b
        excl = money(excl)
        incl = excl + money(excl * VAT)
        inv_id, entry_id = b.new_id(), b.new_id()
        number = f"AV-{on.year}-{inv_id % 1_000_000:05d}"
        b.add("customer_invoices", {
            "id": inv_id, "label": f"Avoir {number}", "invoice_number": number, "currency": "EUR",
            "amount": f"{-incl:.2f}", "currency_amount": f"{-incl:.2f}", "currency_amount_before_tax": f"{-excl:.2f}",
            "exchange_rate": "1.0", "currency_tax": f"{-(incl - excl):.2f}", "tax": f"{-(incl - excl):.2f}",
            "date": on.isoformat(), "deadline": on.isoformat(), "paid": True, "status": "credit_note", "draft": False,
            "remaining_amount_with_tax": "0.00", "remaining_amount_without_tax": "0.00",
            "customer": b.url("customers", customer["id"]), "credited_invoice": b.url("customer_invoices", invoice["id"]),
            "billing_subscription": None, "ledger_entry": {"id": entry_id}, "external_reference": number,
            "archived_at": None, "created_at": _ts(min(on, b.today)), "updated_at": _ts(min(on, b.today)),
        }, at=on)
        rebate_account = "709700" if b.revenue_account.startswith("707") else "709000"
        self.line(on, "411000", "VT", number, 0, incl, entry_id)
        self.line(on, rebate_account, "VT", number, excl, 0, entry_id)
        self.line(on, "44571", "VT", number, incl - excl, 0, entry_id)
        remaining = money(Decimal(invoice["remaining_amount_with_tax"]) - incl)
        invoice["remaining_amount_with_tax"] = f"{max(remaining, Decimal(0)):.2f}"
        invoice["updated_at"] = _ts(min(on, b.today), 12)
        b.log("customer_invoices", invoice["id"], "update", invoice["updated_at"])
        return b.objects["customer_invoices"][inv_id]

    def trust_cases(self, customer: dict) -> None:
        """What makes sales figures lie when read naively, so that the demo shows each handled: a draft,
        an archived invoice, a cancelled invoice with its credit note, a partly paid invoice, a partly
        credited invoice paid for the rest, and a payment made last month but recorded this month."""
        today, acc = self.b.today, self.b.revenue_account
        month = today.replace(day=1)
        last_month_end = month - timedelta(days=1)
        two_months = (last_month_end.replace(day=1) - timedelta(days=1)).replace(day=5)
        self.customer_invoice(customer=customer, d=today, excl=Decimal(9000), revenue_account=acc, terms=30,
                              pay_delay=None, state="draft")
        self.customer_invoice(customer=customer, d=two_months, excl=Decimal(4000), revenue_account=acc, terms=30,
                              pay_delay=None, state="archived")
        cancelled = self.customer_invoice(customer=customer, d=two_months, excl=Decimal(6000), revenue_account=acc,
                                          terms=30, pay_delay=None)
        self.cancel(cancelled, two_months + timedelta(days=2))
        partly = self.customer_invoice(customer=customer, d=two_months, excl=Decimal(5000), revenue_account=acc,
                                       terms=30, pay_delay=None)
        self.pay(partly, Decimal(2000), two_months + timedelta(days=20))
        credited = self.customer_invoice(customer=customer, d=two_months, excl=Decimal(3000), revenue_account=acc,
                                         terms=30, pay_delay=None)
        self.credit(credited, Decimal(500), two_months + timedelta(days=10))
        self.pay(credited, Decimal(3000), two_months + timedelta(days=40))
        late_synced = self.customer_invoice(customer=customer, d=two_months, excl=Decimal(2500), revenue_account=acc,
                                            terms=30, pay_delay=None)
        self.pay(late_synced, Decimal(3000), last_month_end, recorded=min(today, month + timedelta(days=3)))

    def supplier(self, name: str, at: date) -> dict:
        return self.b.add("suppliers", {"name": name, "external_reference": f"SUP-{self.b._next + 1}"}, at=at)

    def supplier_invoice(self, *, supplier: dict, d: date, excl: Decimal, account: str, terms: int = 30,
                         pay_delay: int | None = 30, vat: bool = True, edited_on: date | None = None):
        """A supplier invoice, paid `pay_delay` days later by a matched bank transaction; `edited_on` is a
        later edit (its `updated_at`), which is not when it was paid. A bill dated after today has not come yet:
        the books do not hold it (None)."""
        b = self.b
        if d > b.today:
            return None
        excl = money(excl)
        tax = money(excl * VAT) if vat else Decimal("0.00")
        incl = excl + tax
        paid_on = d + timedelta(days=pay_delay) if pay_delay is not None else None
        is_paid = paid_on is not None and paid_on <= b.today
        deadline = d + timedelta(days=terms)
        inv_id, entry_id = b.new_id(), b.new_id()
        number = f"FA-{inv_id % 1_000_000:05d}"
        obj = {
            "id": inv_id, "label": f"{supplier['name']} {number}", "invoice_number": number, "currency": "EUR",
            "amount": f"{incl:.2f}", "currency_amount": f"{incl:.2f}", "currency_amount_before_tax": f"{excl:.2f}",
            "exchange_rate": "1.0", "currency_tax": f"{tax:.2f}", "tax": f"{tax:.2f}",
            "date": d.isoformat(), "deadline": deadline.isoformat(), "paid": is_paid,
            "status": "paid" if is_paid else ("late" if deadline < b.today else "upcoming"),
            "remaining_amount_with_tax": "0.00" if is_paid else f"{incl:.2f}",
            "remaining_amount_without_tax": "0.00" if is_paid else f"{excl:.2f}",
            "supplier": b.url("suppliers", supplier["id"]), "ledger_entry": {"id": entry_id},
            "external_reference": number, "archived_at": None,
            "created_at": _ts(min(d, b.today)),
            "updated_at": _ts(min(edited_on or (paid_on if is_paid else d), b.today), 11),
        }
        b.add("supplier_invoices", obj, at=d)
        self.line(d, account, "HA", obj["label"], excl, 0, entry_id)
        if vat:
            self.line(d, "44566", "HA", obj["label"], tax, 0, entry_id)
        self.line(d, "401000", "HA", obj["label"], 0, incl, entry_id)
        if is_paid:
            pay_entry = b.new_id()
            self.line(paid_on, "401000", "BQ", f"Paiement {number}", incl, 0, pay_entry)
            self.line(paid_on, "512000", "BQ", f"Paiement {number}", 0, incl, pay_entry)
            tx = self.transaction(paid_on, -incl, f"PRLV {supplier['name'][:30]}")
            b.matches[inv_id] = [tx["id"]]
        return obj

    def payroll(self, d: date, gross: Decimal):
        gross = money(gross)
        charges = money(gross * Decimal("0.42"))
        net = money(gross * Decimal("0.78"))
        entry = self.b.new_id()
        self.line(d, "641000", "OD", "Salaires", gross, 0, entry)
        self.line(d, "645100", "OD", "Charges sociales", charges, 0, entry)
        self.line(d, "421000", "OD", "Salaires nets", 0, net, entry)
        self.line(d, "431000", "OD", "URSSAF", 0, charges + gross - net, entry)
        pay = self.b.new_id()
        self.line(d, "421000", "BQ", "Virement salaires", net, 0, pay)
        self.line(d, "512000", "BQ", "Virement salaires", 0, net, pay)
        self.transaction(d, -net, "VIR SALAIRES")
        if d + timedelta(days=15) <= self.b.today:
            urssaf = self.b.new_id()
            self.line(d + timedelta(days=15), "431000", "BQ", "URSSAF", charges + gross - net, 0, urssaf)
            self.line(d + timedelta(days=15), "512000", "BQ", "URSSAF", 0, charges + gross - net, urssaf)
            self.transaction(d + timedelta(days=15), -(charges + gross - net), "PRLV URSSAF")

    def cash_entry(self, d: date, account: str, label: str, amount: Decimal) -> None:
        """A P&L item settled through the bank at once: a charge (amount < 0) or an income (amount > 0)."""
        amount = money(amount)
        entry = self.b.new_id()
        if amount < 0:
            self.line(d, account, "BQ", label, -amount, 0, entry)
            self.line(d, "512000", "BQ", label, 0, -amount, entry)
        else:
            self.line(d, "512000", "BQ", label, amount, 0, entry)
            self.line(d, account, "BQ", label, 0, amount, entry)
        self.transaction(d, amount, label.upper()[:40])

    def close_month(self, month: date, *, depreciation: Decimal, interest: Decimal = Decimal(0),
                    financial_income: Decimal = Decimal(0), exceptional: Decimal = Decimal(0),
                    exceptional_label: str = "") -> None:
        """Month-end entries of a real P&L, so EBE, operating, current and net result differ: depreciation
        (681), loan interest (661) or interest earned (768), an exceptional item (67/77) and the corporate tax
        provisioned on the fiscal year's profit to date (695), paid once the year is over. Only for months over."""
        end = month + timedelta(days=_days_in(month) - 1)
        if end >= self.b.today:
            return
        entry = self.b.new_id()
        self.line(end, "681100", "OD", "Dotation aux amortissements", money(depreciation), 0, entry)
        self.line(end, "281500", "OD", "Dotation aux amortissements", 0, money(depreciation), entry)
        if interest:
            self.cash_entry(month + timedelta(days=4), "661100", "Échéance prêt - intérêts", -interest)
        if financial_income:
            self.cash_entry(end, "768000", "Intérêts compte à terme", financial_income)
        if exceptional < 0:
            self.cash_entry(month + timedelta(days=17), "671000", exceptional_label, exceptional)
        elif exceptional > 0:
            self.cash_entry(month + timedelta(days=17), "771000", exceptional_label, exceptional)
        # Corporate tax provisioned each month on the fiscal year's result to date (a reversal when a loss
        # eats into it), and paid to the State as the balance 3½ months after the fiscal year ends.
        # Losses of the earlier years are carried forward against the profit (report en avant des déficits).
        fy_start = date(month.year if month.month >= self.fy_start else month.year - 1, self.fy_start, 1)
        ytd = sum((v for m, v in self.result.items() if fy_start <= m <= month), Decimal(0))
        carried = max(Decimal(0), -sum((v for m, v in self.result.items() if m < fy_start), Decimal(0)))
        provision = (money(max(Decimal(0), ytd - carried) * CORPORATE_TAX_RATE)
                     - self.tax_provisioned.get(fy_start, Decimal(0)))
        if provision:
            tax_entry = self.b.new_id()
            label = "Impôt sur les sociétés (provision)"
            self.line(end, "695000", "OD", label, max(provision, Decimal(0)), max(-provision, Decimal(0)), tax_entry)
            self.line(end, "444000", "OD", label, max(-provision, Decimal(0)), max(provision, Decimal(0)), tax_entry)
            self.tax_provisioned[fy_start] = self.tax_provisioned.get(fy_start, Decimal(0)) + provision
        if (month.month % 12) + 1 == self.fy_start:  # the fiscal year's last month
            due = self.tax_provisioned.get(fy_start, Decimal(0))
            pay_on = end + timedelta(days=105)
            if due > 0 and pay_on <= self.b.today:
                pay = self.b.new_id()
                self.line(pay_on, "444000", "BQ", "Solde d'impôt sur les sociétés", due, 0, pay)
                self.line(pay_on, "512000", "BQ", "Solde d'impôt sur les sociétés", 0, due, pay)
                self.transaction(pay_on, -due, "DGFIP SOLDE IS")

    def fiscal_years(self, start_month: int):
        self.fy_start = start_month
        today = self.b.today
        y = today.year if today.month >= start_month else today.year - 1
        for year in (y - 2, y - 1, y):
            start = date(year, start_month, 1)
            end = date(year + (1 if start_month > 1 else 0), (start_month - 2) % 12 + 1, 1)
            end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
            self.b.add("fiscal_years", {"start": start.isoformat(), "finish": end.isoformat(),
                                        "status": "open" if year == y else "closed"}, at=start)


def _days_in(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def _day(rng: random.Random, month: date, today: date) -> date | None:
    d = month + timedelta(days=rng.randrange(_days_in(month)))
    return d if d <= today else None


def build_lumen(book: Book, rng: random.Random) -> None:
    """B2C e-commerce: order batches invoiced daily-ish, peak in Nov-Dec, ≈6 % returned."""
    bld = _Builder(book, rng)
    book.builder, book.revenue_account = bld, "707000"
    bld.fiscal_years(1)
    months = month_starts(book.today)
    bld.opening_balance(months[0], Decimal(60000))
    first = months[0]
    people = [bld.customer(f"Client {i:04d}", individual=True, at=first) for i in range(1, 121)]
    wholesale = [bld.customer(n, individual=False, at=first) for n in ("Galeries Déco SA", "Boutique Nord SARL")]
    suppliers = {k: bld.supplier(n, first) for k, n in (("goods", "Atelier Céramique Lyon"), ("goods2", "Textiles du Nord"),
                                                        ("ship", "Colissimo Pro"), ("ads", "Meta Ads Ireland"),
                                                        ("rent", "SCI Entrepôt Roubaix"), ("saas", "Shopify"))}
    for i, month in enumerate(months):
        factor = Decimal("2.5") if month.month in (11, 12) else Decimal(1)
        growth = Decimal(1) + Decimal("0.012") * i
        target = Decimal(62000) * factor * growth  # monthly sales excl. VAT
        n = int(40 * factor)
        sold = Decimal(0)
        for k in range(n):
            d = _day(rng, month, book.today)
            if d is None:
                continue
            excl = target / n * Decimal(str(rng.uniform(0.7, 1.3)))
            customer = rng.choice(people) if k % 12 else rng.choice(wholesale)
            delay = 0 if customer in people else rng.choice([25, 30, 45, None if month == months[-1] else 40])
            inv = bld.customer_invoice(customer=customer, d=d, excl=excl, revenue_account="707000", terms=30,
                                       pay_delay=delay)
            sold += money(excl)
            if rng.random() < 0.06:
                back = min(d + timedelta(days=rng.randint(5, 20)), book.today)
                bld.customer_invoice(customer=customer, d=back, excl=money(excl), revenue_account="707000", terms=0,
                                     pay_delay=0, credit_of=inv)
        end = min(month + timedelta(days=_days_in(month) - 1), book.today)
        bld.supplier_invoice(supplier=suppliers["goods"], d=month + timedelta(days=4), excl=sold * Decimal("0.28"),
                             account="607000")
        bld.supplier_invoice(supplier=suppliers["goods2"], d=month + timedelta(days=9), excl=sold * Decimal("0.17"),
                             account="607000")
        bld.supplier_invoice(supplier=suppliers["ship"], d=end, excl=sold * Decimal("0.07"), account="624100")
        bld.supplier_invoice(supplier=suppliers["ads"], d=month + timedelta(days=1), excl=sold * Decimal("0.09"),
                             account="623000", pay_delay=0)
        bld.supplier_invoice(supplier=suppliers["rent"], d=month, excl=Decimal(4200), account="613200", pay_delay=5)
        bld.supplier_invoice(supplier=suppliers["saas"], d=month + timedelta(days=2), excl=Decimal(380),
                             account="626000", pay_delay=0)
        if month + timedelta(days=27) <= book.today:
            bld.payroll(month + timedelta(days=27), Decimal(12500) * (Decimal("1.15") if factor > 1 else 1))
        exceptional = {8: (Decimal(2000), "Indemnité d'assurance dégât des eaux"),
                       14: (Decimal(-3500), "Transaction litige transporteur")}.get(i, (Decimal(0), ""))
        bld.close_month(month, depreciation=Decimal(1800), interest=Decimal(320) - Decimal(8) * i,
                        exceptional=exceptional[0], exceptional_label=exceptional[1])
    bld.trust_cases(wholesale[1])
    # Malformed on purpose: the demo's first sync shows these as rejected, with reasons.
    bad_customer = people[3]
    for bad in ({"amount": "12,5O", "currency_amount_before_tax": "10,4O"}, {"deadline": "31/12/2026"}):
        obj = {
            "id": book.new_id(), "label": "Import manuel", "invoice_number": f"F-IMPORT-{book._next}",
            "currency": "EUR", "amount": "120.00", "currency_amount": "120.00", "currency_amount_before_tax": "100.00",
            "exchange_rate": "1.0", "date": (book.today - timedelta(days=6)).isoformat(),
            "deadline": (book.today + timedelta(days=24)).isoformat(), "paid": False, "status": "upcoming",
            "remaining_amount_with_tax": "120.00", "customer": book.url("customers", bad_customer["id"]),
            "credited_invoice": None, "billing_subscription": None, "draft": False, "archived_at": None,
        }
        obj.update(bad)
        book.add("customer_invoices", obj, at=book.today - timedelta(days=6))


def build_nuage(book: Book, rng: random.Random) -> None:
    """B2B SaaS: monthly subscription invoices; ≈2 % of subscriptions churn each month; steady new logos."""
    bld = _Builder(book, rng)
    book.builder, book.revenue_account = bld, "706000"
    bld.fiscal_years(1)
    months = month_starts(book.today)
    bld.opening_balance(months[0], Decimal(600000))
    plans = [("Starter", Decimal(290)), ("Team", Decimal(790)), ("Business", Decimal(1900)),
             ("Enterprise", Decimal(4500))]
    segments = {"Starter": "SMB", "Team": "SMB", "Business": "Mid-market", "Enterprise": "Enterprise"}
    suppliers = {k: bld.supplier(n, months[0]) for k, n in (("cloud", "Scaleway SAS"), ("ads", "Google Ireland"),
                                                            ("rent", "Morning Coworking"),
                                                            ("fees", "Cabinet Expert Comptable"))}
    active: list[tuple[dict, dict]] = []
    counter = 0

    def new_logo(month: date) -> None:
        nonlocal counter
        counter += 1
        plan, mrr = rng.choices(plans, weights=[40, 35, 20, 5])[0]
        customer = bld.customer(f"{rng.choice(['Atlas', 'Boréal', 'Cobalt', 'Delta', 'Éole', 'Fjord', 'Granit', 'Helios'])} "
                                f"{rng.choice(['Logistique', 'Santé', 'Retail', 'Industrie', 'Conseil', 'Énergie'])} {counter}",
                                individual=False, at=month, notes=segments[plan])
        start = month + timedelta(days=rng.randrange(min(27, _days_in(month))))
        start = min(start, book.today)
        sub = book.add("billing_subscriptions", {
            "label": plan, "status": "in_progress", "start": start.isoformat(), "stopped_at": None,
            "customer": book.url("customers", customer["id"]),
            "amount_before_tax": f"{mrr:.2f}", "recurring_rule": {"rule_type": "monthly", "interval": 1},
        }, at=start)
        active.append((customer, sub))

    for _ in range(55):
        new_logo(months[0])
    for i, month in enumerate(months):
        if i:
            for _ in range(rng.randint(4, 7)):
                new_logo(month)
        still = []
        for customer, sub in active:
            if i and rng.random() < 0.02:
                stop = min(month + timedelta(days=rng.randrange(20)), book.today)
                sub["status"] = "stopped"
                sub["stopped_at"] = stop.isoformat()
                sub["updated_at"] = _ts(stop)
                continue
            if rng.random() < 0.015:  # expansion to the next plan
                names = [p for p, _ in plans]
                idx = names.index(sub["label"])
                if idx < len(plans) - 1:
                    sub["label"], mrr = plans[idx + 1]
                    sub["amount_before_tax"] = f"{mrr:.2f}"
            still.append((customer, sub))
            d = max(month, date.fromisoformat(sub["start"]))
            if d <= book.today:
                late = rng.random() < 0.05
                # A late customer pays after a reminder or two, two to four months on: receivables age, then clear.
                late_delay = (65, 95, 125)[d.toordinal() % 3]
                bld.customer_invoice(customer=customer, d=d, excl=Decimal(sub["amount_before_tax"]),
                                     revenue_account="706000", terms=30,
                                     pay_delay=late_delay if late else rng.choice([10, 20, 30, 35]), subscription=sub)
        active = still
        mrr_total = sum(Decimal(s["amount_before_tax"]) for _c, s in active)
        bld.supplier_invoice(supplier=suppliers["cloud"], d=month + timedelta(days=2), excl=mrr_total * Decimal("0.11"),
                             account="606100", pay_delay=0)
        bld.supplier_invoice(supplier=suppliers["ads"], d=month + timedelta(days=1), excl=Decimal(6500),
                             account="623000", pay_delay=0)
        bld.supplier_invoice(supplier=suppliers["rent"], d=month, excl=Decimal(3800), account="613200", pay_delay=3)
        bld.supplier_invoice(supplier=suppliers["fees"], d=month + timedelta(days=20), excl=Decimal(900),
                             account="622600")
        if month + timedelta(days=27) <= book.today:
            bld.payroll(month + timedelta(days=27), Decimal(55000) + Decimal(1200) * i)
        bld.close_month(month, depreciation=Decimal(2500), financial_income=Decimal(900),
                        exceptional=Decimal(-1200) if i == 10 else Decimal(0),
                        exceptional_label="Pénalité de retard URSSAF")
    bld.trust_cases(active[0][0])


def build_boisfin(book: Book, rng: random.Random) -> None:
    """Furniture maker: a late-paying wholesale customer, heavy payroll, low summer sales (tight cash)."""
    bld = _Builder(book, rng)
    book.builder, book.revenue_account = bld, "701000"
    bld.fiscal_years(7)
    months = month_starts(book.today)
    bld.opening_balance(months[0], Decimal(420000))
    first = months[0]
    wholesale = bld.customer("Grossiste Meubles de France", individual=False, at=first)
    shops = [bld.customer(n, individual=False, at=first) for n in ("Maison & Bois Nantes", "Déco Loire", "Habitat Vendée",
                                                                   "Galerie du Meuble Tours")]
    people = [bld.customer(f"Particulier {i:03d}", individual=True, at=first) for i in range(1, 41)]
    timber = bld.supplier("Scierie du Morvan", first)
    hardware = bld.supplier("Quincaillerie Pro Ouest", first)
    energy = bld.supplier("EDF Entreprises", first)
    rent = bld.supplier("SCI Zone Artisanale", first)
    bld.transaction(first, Decimal(25000), "Apport en compte courant")
    for i, month in enumerate(months):
        season = {7: Decimal("0.45"), 8: Decimal("0.35"), 12: Decimal("1.3")}.get(month.month, Decimal(1))
        target = Decimal(48000) * season
        sold = Decimal(0)
        for k in range(max(4, int(16 * season))):
            d = _day(rng, month, book.today)
            if d is None:
                continue
            excl = target / 16 * Decimal(str(rng.uniform(0.6, 1.4)))
            if k % 5 == 0:
                # The wholesale customer pays 45-90 days past due; the last months' invoices wait, unpaid.
                delay = rng.choice([95, 110, 130, None])
                if delay is None and i < len(months) - 5:
                    delay = 150
                bld.customer_invoice(customer=wholesale, d=d, excl=excl * 2, revenue_account="701000", terms=45,
                                     pay_delay=delay)
                sold += money(excl * 2)
            else:
                customer = rng.choice(shops) if k % 2 else rng.choice(people)
                bld.customer_invoice(customer=customer, d=d, excl=excl, revenue_account="701000", terms=30,
                                     pay_delay=rng.choice([0, 15, 30]) if customer in shops else 0)
                sold += money(excl)
        # Cost per unit drifting down after the lean plan started six months ago.
        material_ratio = Decimal("0.36") if i < len(months) - 6 else Decimal("0.33")
        bld.supplier_invoice(supplier=timber, d=month + timedelta(days=3), excl=max(sold, Decimal(30000)) * material_ratio,
                             account="601000", terms=45, pay_delay=45)
        bld.supplier_invoice(supplier=hardware, d=month + timedelta(days=12), excl=Decimal(2400) * (season + 1) / 2,
                             account="601000")
        bld.supplier_invoice(supplier=energy, d=month + timedelta(days=8), excl=Decimal(1900), account="606100",
                             pay_delay=10)
        bld.supplier_invoice(supplier=rent, d=month, excl=Decimal(2800), account="613200", pay_delay=2)
        if month + timedelta(days=27) <= book.today:
            bld.payroll(month + timedelta(days=27), Decimal(12000))
        bld.close_month(month, depreciation=Decimal(1600), interest=Decimal(700) - Decimal(12) * i,
                        exceptional=Decimal(6000) if i == 16 else Decimal(0),
                        exceptional_label="Cession d'une raboteuse")
    bld.trust_cases(wholesale)


COMPANIES = {
    # key: (Pennylane company id, name, builder, demo token)
    "lumen": (4101, "Maison Lumen SAS", build_lumen, "demo-pennylane-lumen"),
    "nuage": (4102, "Nuage Analytics SAS", build_nuage, "demo-pennylane-nuage"),
    "boisfin": (4103, "Atelier Bois Fin SARL", build_boisfin, "demo-pennylane-boisfin"),
}
FIRM_TOKEN = "demo-pennylane-firm-caproute"


def build_book(key: str, *, seed: int, today: date) -> Book:
    company_id, name, builder, _token = COMPANIES[key]
    book = Book(company_id=company_id, name=name, key=key, today=today)
    builder(book, random.Random(f"{seed}:{key}"))
    # Only the last four weeks stay in the changelog, as at Pennylane.
    horizon = _ts(today - timedelta(days=28))
    book.changelog = [e for e in book.changelog if e["processed_at"] >= horizon]
    book.changelog.sort(key=lambda e: (e["processed_at"], e["seq"]))
    for n, entry in enumerate(book.changelog, 1):
        entry["seq"] = n
    return book


def grow_until(book: Book, day: date, *, processed_at: str, seed: int = 0) -> int:
    """Let the company live until `day`: two new invoices a day, and unpaid invoices past due turn late.

    Every change is written to the changelog at `processed_at`, so an incremental sync picks it up.
    Returns the number of changes.
    """
    if book.builder is None or day <= book.today:
        return 0
    rng = random.Random(f"{seed}:{book.company_id}:{day.isoformat()}")
    first_seq = len(book.changelog)
    current = book.today
    while current < day:
        current += timedelta(days=1)
        book.today = current
        recent = list(book.objects["customer_invoices"].values())[-60:]
        templates = []
        for o in recent:
            try:
                if o.get("status") != "credit_note" and o.get("customer"):
                    templates.append((o, Decimal(str(o["currency_amount_before_tax"]))))
            except (InvalidOperation, KeyError):
                continue
        for _ in range(2 if templates else 0):
            template, excl = rng.choice(templates)
            customer = book.objects["customers"].get(template["customer"]["id"])
            if customer is not None:
                book.builder.customer_invoice(customer=customer, d=current, excl=abs(excl), terms=30,
                                              revenue_account=book.revenue_account, pay_delay=None)
        for o in book.objects["customer_invoices"].values():
            if o.get("status") == "upcoming" and o.get("deadline") and o["deadline"] < current.isoformat():
                o["status"] = "late"
                o["updated_at"] = processed_at
                book.log("customer_invoices", o["id"], "update", processed_at)
    for entry in book.changelog[first_seq:]:
        entry["processed_at"] = entry["created_at"] = entry["updated_at"] = processed_at
    return len(book.changelog) - first_seq
