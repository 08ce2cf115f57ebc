"""Every field Pennylane's v2 reference marks as required, on every object the fake serves.

The scenario (integrations/fakes/scenario.py) stores what the demo's story needs; Pennylane's
serialisers always answer with the full documented object, empty values included. `complete`
adds the documented fields an object lacks, with the values Pennylane gives a record that never
had them (null, "", [], a link to the object's own sub-collection); it never changes a value the
scenario set. tests/integrations/contract/test_pennylane_contract.py checks the result field by
field against the reference pages it cites.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

API = "https://app.pennylane.com/api/external/v2"
_ADDRESS = {"address": "", "postal_code": "", "city": "", "country_alpha2": "FR"}


def _collection(resource: str, name: str):
    return lambda obj, book: {"url": f"{API}/{resource}/{obj['id']}/{name}"}


def _link(book, resource: str, **match) -> dict | None:
    """A link to the book's first `resource` object whose fields equal `match`."""
    for obj in (book.objects.get(resource, {}).values() if book is not None else ()):
        if all(obj.get(k) == v for k, v in match.items()):
            return {"id": obj["id"], "url": f"{API}/{resource}/{obj['id']}"}
    return None


def _tax(obj: dict, book=None) -> str:
    try:
        return f"{Decimal(obj['amount']) - Decimal(obj['currency_amount_before_tax']):.2f}"
    except (KeyError, TypeError, InvalidOperation):
        return "0.00"


def _remaining_without_tax(obj: dict, book=None) -> str | None:
    if obj.get("paid"):
        return "0.00"
    return obj.get("currency_amount_before_tax")


_CUSTOMER = {
    "billing_iban": None, "payment_conditions": "30_days", "recipient": "", "phone": "", "reference": None,
    "notes": None, "vat_number": "", "reg_no": "", "ledger_account": None, "emails": [],
    "billing_address": dict(_ADDRESS), "delivery_address": dict(_ADDRESS), "billing_language": "fr_FR",
}
_INDIVIDUAL = {
    "first_name": lambda obj, book: (obj.get("name") or "").split(" ")[0],
    "last_name": lambda obj, book: " ".join((obj.get("name") or "").split(" ")[1:]),
}
_INVOICE_COMMON = {
    "label": None, "currency": "EUR", "deadline": None, "currency_tax": _tax, "tax": _tax, "public_file_url": None,
    "filename": None, "remaining_amount_with_tax": None, "remaining_amount_without_tax": _remaining_without_tax,
    "ledger_entry": lambda obj, book: {"id": obj["id"]}, "transaction_reference": None, "archived_at": None,
    "external_reference": lambda obj, book: obj.get("invoice_number") or str(obj["id"]),
}
DEFAULTS: dict[str, dict] = {
    "customers": _CUSTOMER,
    "suppliers": {
        "establishment_no": None, "vat_number": "", "ledger_account": None, "emails": [], "iban": "",
        "postal_address": dict(_ADDRESS), "supplier_payment_method": None, "supplier_due_date_delay": None,
        "supplier_due_date_rule": None,
    },
    "customer_invoices": {
        **_INVOICE_COMMON, "language": "fr_FR", "discount": {"type": "relative", "value": "0"},
        "special_mention": None, "draft": False, "customer": None, "billing_subscription": None,
        "credited_invoice": None, "customer_invoice_template": None, "from_estimate_id": None, "estimate": None,
        "pdf_invoice_free_text": "", "pdf_invoice_subject": "", "pdf_description": None,
        "invoice_line_sections": _collection("customer_invoices", "invoice_line_sections"),
        "invoice_lines": _collection("customer_invoices", "invoice_lines"),
        "categories": _collection("customer_invoices", "categories"),
        "payments": _collection("customer_invoices", "payments"),
        "matched_transactions": _collection("customer_invoices", "matched_transactions"),
        "appendices": _collection("customer_invoices", "appendices"),
    },
    "supplier_invoices": {
        **_INVOICE_COMMON, "reconciled": lambda obj, book: bool(obj.get("paid")),
        "accounting_status": "complete", "supplier": None,
        "payment_status": lambda obj, book: "fully_paid" if obj.get("paid") else "to_be_paid",
        "invoice_lines": _collection("supplier_invoices", "invoice_lines"),
        "categories": _collection("supplier_invoices", "categories"),
        "payments": _collection("supplier_invoices", "payments"),
        "matched_transactions": _collection("supplier_invoices", "matched_transactions"),
    },
    "transactions": {
        "label": None, "outstanding_balance": None, "archived_at": None, "currency": "EUR",
        "currency_amount": lambda obj, book: obj.get("amount"), "currency_fee": None, "fee": None,
        "journal_id": lambda obj, book: (_link(book, "journals", code="BQ") or {}).get("id"),
        "categories": [], "matched_invoices": _collection("transactions", "matched_invoices"),
    },
    "bank_accounts": {
        "currency": "EUR", "journal": lambda obj, book: _link(book, "journals", code="BQ"),
        "ledger_account": lambda obj, book: _link(book, "ledger_accounts", number="512000"),
    },
}


def complete(resource: str, obj: dict, book=None) -> dict:
    """`obj` with every documented field of `resource`: the scenario's values kept, the rest as Pennylane
    leaves them on a record that never had them (links resolved in `book`, the company's objects).
    Resources without documented defaults pass unchanged."""
    defaults = DEFAULTS.get(resource)
    if defaults is None or not isinstance(obj, dict) or "id" not in obj:
        return obj
    if resource == "customers" and obj.get("customer_type") == "individual":
        defaults = {**defaults, **_INDIVIDUAL}
    out = dict(obj)
    for name, default in defaults.items():
        value = default(obj, book) if callable(default) else default
        if name not in out:
            out[name] = value
        elif isinstance(value, dict) and isinstance(out[name], dict) and name.endswith("address"):
            out[name] = {**value, **out[name]}  # an address is always whole
    return out


def complete_page(resource: str, page: dict, book=None) -> dict:
    """A list envelope whose items are complete documented objects."""
    return {**page, "items": [complete(resource, item, book) for item in page.get("items", [])]}
