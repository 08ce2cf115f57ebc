"""The fake Pennylane against the documentation, for each endpoint this branch changed or added.

Sources (read with the search tool; pages of pennylane.readme.io):
- "2026 API changes Migration Guide" (docs/2026-api-changes-guide): the `ledger` scope split into
  `journals:*`, `ledger_accounts:*`, `ledger_entries:*`; page-numbered endpoints moved to the cursor
  envelope; the new behaviour is the only one after 1 July 2026.
- "List Ledger Accounts" (reference/getledgeraccounts): item fields.
- "List matched transactions for a customer invoice" (reference/getcustomerinvoicematchedtransactions).
- "List payments for a customer invoice" (reference/getcustomerinvoicepayments).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from integrations.fakes.pennylane import PennylaneFake
from integrations.fakes.scenario import Book, _Builder

TOKEN = "contract-token"
FIRM_TOKEN = "contract-firm-token"
TODAY = date(2026, 9, 1)


@pytest.fixture
def world():
    book = Book(company_id=9001, name="Contract SAS", key="test", today=TODAY)
    bld = _Builder(book, random.Random(3))
    book.builder = bld
    customer = bld.customer("Client", individual=False, at=TODAY - timedelta(days=90))
    paid = bld.customer_invoice(customer=customer, d=TODAY - timedelta(days=40), excl=Decimal(100),
                                revenue_account="706000", terms=30, pay_delay=None)
    bld.pay(paid, Decimal(50), TODAY - timedelta(days=20))
    bld.record_payment(paid, Decimal(70), TODAY - timedelta(days=10))
    draft = bld.customer_invoice(customer=customer, d=TODAY, excl=Decimal(100), revenue_account="706000",
                                 terms=30, pay_delay=None, state="draft")
    note = bld.cancel(bld.customer_invoice(customer=customer, d=TODAY - timedelta(days=5), excl=Decimal(80),
                                           revenue_account="706000", terms=30, pay_delay=None), TODAY)
    fake = PennylaneFake(books={9001: book}, tokens={TOKEN: 9001}, firm_tokens={FIRM_TOKEN: [9001]},
                         enforce_rate_limit=False)
    return fake, book, {"paid": paid, "draft": draft, "note": note}


def client(fake, base="/api/external/v2", token=TOKEN):
    return httpx.Client(transport=httpx.WSGITransport(app=fake), base_url=f"http://pennylane.fake{base}",
                        headers={"Authorization": f"Bearer {token}"})


CURSOR_ENVELOPE = {"items", "has_more", "next_cursor"}


# --- 2026 API changes Migration Guide: ledger accounts on the cursor envelope -------------------------

def test_ledger_accounts_answer_the_cursor_envelope(world):
    # Page: 2026 API changes Migration Guide ("New Pagination") + List Ledger Accounts (item fields)
    fake, book, _ = world
    body = client(fake).get("/ledger_accounts", params={"limit": 5, "sort": "id"}).json()
    assert set(body) == CURSOR_ENVELOPE
    assert body["has_more"] is True and isinstance(body["next_cursor"], str)
    item = body["items"][0]
    assert set(item) >= {"id", "number", "label", "vat_rate", "country_alpha2", "enabled"}
    assert isinstance(item["id"], int) and isinstance(item["number"], str) and isinstance(item["enabled"], bool)


def test_ledger_accounts_refuse_the_old_page_parameters(world):
    # Page: 2026 API changes Migration Guide (page pagination is gone after the sunset, 1 July 2026)
    fake, _book, _ = world
    response = client(fake).get("/ledger_accounts", params={"page": 1, "per_page": 100})
    assert response.status_code == 400
    assert set(response.json()) == {"error", "status"} and response.json()["status"] == 400


def test_the_ledger_accounts_cursor_reaches_every_account_once(world):
    # Page: 2026 API changes Migration Guide (cursor pagination "that is used" by the other lists)
    fake, book, _ = world
    seen, params = [], {"limit": 7, "sort": "id"}
    while True:
        body = client(fake).get("/ledger_accounts", params=params).json()
        seen += [a["id"] for a in body["items"]]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            break
        params = {"limit": 7, "sort": "id", "cursor": body["next_cursor"]}
    assert seen == sorted(book.objects["ledger_accounts"])


def test_the_firm_companies_list_answers_the_cursor_envelope(world):
    # Page: 2026 API changes Migration Guide (the firm API's page-numbered lists move too)
    fake, _book, _ = world
    firm = client(fake, base="/api/external/firm/v1", token=FIRM_TOKEN)
    body = firm.get("/companies", params={"limit": 100}).json()
    assert set(body) == CURSOR_ENVELOPE and body["items"][0]["id"] == 9001 and body["has_more"] is False
    assert firm.get("/companies", params={"page": 1, "per_page": 1000}).status_code == 400


@pytest.mark.parametrize("resource, scope", [("ledger_accounts", "ledger_accounts:readonly"),
                                             ("journals", "journals:readonly"),
                                             ("ledger_entry_lines", "ledger_entries:readonly")])
def test_the_old_ledger_scope_no_longer_opens_the_ledger_and_the_403_names_the_new_scope(world, resource, scope):
    # Page: 2026 API changes Migration Guide ("Scope Deprecation": ledger → journals / ledger_accounts / ledger_entries)
    fake, _book, _ = world
    fake.scopes[TOKEN] = {"ledger", "customer_invoices:readonly"}
    response = client(fake).get(f"/{resource}")
    assert response.status_code == 403
    assert response.json() == {"error": f"Missing scope: {scope}", "status": 403}


# --- List matched transactions for a customer invoice -------------------------------------------------

def test_matched_transactions_of_an_invoice_field_by_field(world):
    # Page: List matched transactions for a customer invoice (getcustomerinvoicematchedtransactions)
    fake, _book, inv = world
    body = client(fake).get(f"/customer_invoices/{inv['paid']['id']}/matched_transactions",
                            params={"limit": 20, "sort": "-id"}).json()
    assert set(body) == CURSOR_ENVELOPE and body["has_more"] is False and body["next_cursor"] is None
    [tx] = body["items"]
    assert set(tx) >= {"id", "label", "date", "outstanding_balance", "created_at", "updated_at", "archived_at",
                       "currency", "currency_amount", "amount", "currency_fee", "fee", "journal", "bank_account",
                       "categories"}
    assert isinstance(tx["id"], int) and tx["date"] == (TODAY - timedelta(days=20)).isoformat()
    assert tx["amount"] == "50.00" and tx["currency_amount"] == "50.00" and tx["currency"] == "EUR"
    assert set(tx["bank_account"]) == {"id", "url"} and isinstance(tx["journal"]["id"], int)
    assert "journal_id" not in tx  # /transactions says journal_id; this page documents a journal object
    assert isinstance(tx["categories"], list)


def test_a_draft_has_no_matched_transactions(world):
    # Page: getcustomerinvoicematchedtransactions ("If the invoice is archived, or draft, an empty list")
    fake, _book, inv = world
    body = client(fake).get(f"/customer_invoices/{inv['draft']['id']}/matched_transactions").json()
    assert body == {"items": [], "has_more": False, "next_cursor": None}


def test_matched_transactions_take_limit_1_to_100_and_sort_on_id_only(world):
    # Page: getcustomerinvoicematchedtransactions (limit 1 to 100; sort "Available fields : id")
    fake, _book, inv = world
    path = f"/customer_invoices/{inv['paid']['id']}/matched_transactions"
    assert client(fake).get(path, params={"limit": 101}).status_code == 400
    assert client(fake).get(path, params={"sort": "date"}).status_code == 400


# --- List payments for a customer invoice ----------------------------------------------------------

def test_payments_of_an_invoice_field_by_field(world):
    # Page: List payments for a customer invoice (getcustomerinvoicepayments)
    fake, _book, inv = world
    body = client(fake).get(f"/customer_invoices/{inv['paid']['id']}/payments", params={"sort": "-id"}).json()
    assert set(body) == CURSOR_ENVELOPE
    [payment] = body["items"]
    assert set(payment) == {"id", "label", "currency", "currency_amount", "status", "created_at", "updated_at"}
    assert payment["currency_amount"] == "70.00" and payment["status"] == "paid_out"
    assert payment["created_at"].endswith("Z")


def test_a_credit_note_has_no_payments(world):
    # Page: getcustomerinvoicepayments ("If the invoice is draft or credit note, an empty list will be returned")
    fake, _book, inv = world
    for invoice in (inv["note"], inv["draft"]):
        body = client(fake).get(f"/customer_invoices/{invoice['id']}/payments").json()
        assert body == {"items": [], "has_more": False, "next_cursor": None}


def test_the_payments_of_an_unknown_invoice_are_a_404(world):
    # Page: getcustomerinvoicepayments (404 "The resource was not found", body {error, status})
    fake, _book, _ = world
    response = client(fake).get("/customer_invoices/1/payments")
    assert response.status_code == 404 and set(response.json()) == {"error", "status"}


# --- the invoice fields the settlements are read from ------------------------------------------------

def test_an_invoice_carries_its_status_and_what_remains_due(world):
    # Page: getcustomerinvoices (status values; remaining_amount_with_tax as a string amount)
    fake, _book, inv = world
    body = client(fake).get(f"/customer_invoices/{inv['paid']['id']}").json()
    assert body["status"] == "paid" and body["remaining_amount_with_tax"] == "0.00" and body["paid"] is True
    cancelled = client(fake).get(f"/customer_invoices/{inv['note']['credited_invoice']['id']}").json()
    assert cancelled["status"] == "cancelled"
    assert client(fake).get(f"/customer_invoices/{inv['draft']['id']}").json()["status"] == "draft"
