"""Contract: our Pennylane fake (company API v2), served over real HTTP as `manage.py fake_provider
pennylane` serves it, answers with the request and response shapes Pennylane documents, field by
field. Pennylane publishes no client of its own, so each shape below is transcribed from the
reference page it cites (https://pennylane.readme.io/reference/<operation>, read through the copy
in github.com/StudioCatapulte/mcp-pennylane-company, documentation/api_pennylane_doc/v2_company_api/).

Covered here: customers, suppliers, customer and supplier invoices (list and get), changelogs,
transactions, bank accounts, fiscal years, filters, errors and 429s. The ledger endpoints, which
move to the 2026 behaviour, have their own contract (test_pennylane_2026_contract.py).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import httpx
import pytest

from integrations.fakes.pennylane import build_fake
from tests.integrations.contract.served import served

REFERENCE = "https://pennylane.readme.io/reference/"
GUIDES = "https://pennylane.readme.io/docs/"
TOKEN = "demo-pennylane-lumen"  # Maison Lumen: company and individual customers, credit notes
V2 = "/api/external/v2"


# ---- the documented types ---------------------------------------------------------------------

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _amount(v) -> bool:
    if not isinstance(v, str):
        return False
    try:
        Decimal(v)
    except InvalidOperation:
        return False
    return True


CHECKS = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "amount": _amount,  # "string" in the reference: a decimal number written as a string ("230.32")
    "date": lambda v: isinstance(v, str) and bool(ISO_DATE.match(v)),
    "datetime": lambda v: isinstance(v, str) and bool(RFC3339.match(v)),
    "ref": lambda v: isinstance(v, dict) and CHECKS["int"](v.get("id")),  # {"id"}
    "link": lambda v: isinstance(v, dict) and CHECKS["int"](v.get("id")) and isinstance(v.get("url"), str),
    "collection": lambda v: isinstance(v, dict) and isinstance(v.get("url"), str),  # a nested list, by URL
    "strings": lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
    "list": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "address": lambda v: isinstance(v, dict) and all(isinstance(v.get(k), str) for k in
                                                    ("address", "postal_code", "city", "country_alpha2")),
    "currency": lambda v: isinstance(v, str) and bool(re.fullmatch(r"[A-Z]{3}", v)),
}


def problems(obj: dict, shape: dict[str, str | tuple]) -> list[str]:
    """Every way `obj` differs from a documented shape: {field: "type", "type?" (nullable) or (enum…)}."""
    found = []
    for name, kind in shape.items():
        if name not in obj:
            found.append(f"{name}: missing")
            continue
        value = obj[name]
        if isinstance(kind, tuple):
            ok = value in kind
        elif kind.endswith("?"):
            ok = value is None or CHECKS[kind[:-1]](value)
        else:
            ok = CHECKS[kind](value)
        if not ok:
            found.append(f"{name}: {value!r} is not {kind}")
    return found


def assert_shape(items: list[dict], shape: dict, page: str) -> None:
    assert items, f"nothing to check against {page}"
    wrong = {item.get("id"): p for item in items if (p := problems(item, shape))}
    assert not wrong, f"not as {page} documents: {dict(list(wrong.items())[:3])}"


# ---- the documented shapes, one per reference page ---------------------------------------------

CURSOR_ENVELOPE = {"has_more": "bool", "next_cursor": "str?", "items": "list"}  # every list below

CUSTOMER_COMMON = {
    "id": "int", "name": "str", "billing_iban": "str?",
    "payment_conditions": ("upon_receipt", "custom", "15_days", "30_days", "45_days", "60_days"),
    "recipient": "str", "phone": "str", "reference": "str?", "notes": "str?", "ledger_account": "ref?",
    "emails": "strings", "billing_address": "address", "delivery_address": "address", "created_at": "datetime",
    "updated_at": "datetime", "external_reference": "str", "billing_language": ("fr_FR", "en_GB", "de_DE"),
    # The list filters on it (getcustomers: `customer_type`: eq, not_eq): which of the two shapes an item is.
    "customer_type": ("company", "individual"),
}
COMPANY_CUSTOMER = {**CUSTOMER_COMMON, "vat_number": "str", "reg_no": "str"}  # getcompanycustomer
INDIVIDUAL_CUSTOMER = {**CUSTOMER_COMMON, "first_name": "str", "last_name": "str"}  # getindividualcustomer

SUPPLIER = {  # getsuppliers
    "id": "int", "name": "str", "establishment_no": "str?", "vat_number": "str", "ledger_account": "ref?",
    "emails": "strings", "iban": "str", "postal_address": "address",
    "supplier_payment_method": ("automatic_transfer", "manual_transfer", "automatic_debiting", "bill_of_exchange",
                                "check", "cash", "card", None),
    "supplier_due_date_delay": "int?", "supplier_due_date_rule": ("days", "days_or_end_of_month", None),
    "external_reference": "str", "created_at": "datetime", "updated_at": "datetime",
}

INVOICE_COMMON = {
    "id": "int", "label": "str?", "invoice_number": "str", "currency": "currency", "amount": "str",
    "currency_amount": "str", "currency_amount_before_tax": "str", "exchange_rate": "str", "deadline": "str?",
    "currency_tax": "str", "tax": "str", "filename": "str?", "public_file_url": "str?",
    "remaining_amount_with_tax": "str?", "remaining_amount_without_tax": "str?", "ledger_entry": "ref",
    "invoice_lines": "collection", "categories": "collection", "transaction_reference": "object?",
    "payments": "collection", "matched_transactions": "collection", "external_reference": "str",
    "archived_at": "datetime?", "created_at": "datetime", "updated_at": "datetime",
}
CUSTOMER_INVOICE = {  # getcustomerinvoices
    **INVOICE_COMMON, "date": "date?", "language": ("fr_FR", "en_GB"), "paid": "bool",
    "status": ("archived", "incomplete", "cancelled", "paid", "partially_cancelled", "upcoming", "late", "draft",
               "credit_note"),
    "discount": "object", "draft": "bool", "special_mention": "str?", "customer": "link?",
    "invoice_line_sections": "collection", "pdf_invoice_free_text": "str", "pdf_invoice_subject": "str",
    "pdf_description": "str?", "billing_subscription": "link?", "credited_invoice": "link?",
    "customer_invoice_template": "object?", "appendices": "collection", "from_estimate_id": "int?",
    "estimate": "object?",
}
SUPPLIER_INVOICE = {  # getsupplierinvoices
    **INVOICE_COMMON, "date": "str?", "reconciled": "bool",
    "accounting_status": ("draft", "archived", "entry", "validation_needed", "complete"), "supplier": "link?",
    "payment_status": ("to_be_processed", "to_be_paid", "partially_paid", "payment_error", "payment_scheduled",
                       "payment_in_progress", "payment_emitted", "payment_found", "paid_offline", "fully_paid"),
}
TRANSACTION = {  # gettransactions
    "id": "int", "label": "str?", "date": "date", "outstanding_balance": "str?", "created_at": "datetime",
    "updated_at": "datetime", "archived_at": "datetime?", "currency": "currency?", "currency_amount": "amount",
    "amount": "amount", "currency_fee": "str?", "fee": "str?", "journal_id": "int", "bank_account": "link",
    "categories": "list", "matched_invoices": "collection",
}
BANK_ACCOUNT = {  # getbankaccounts
    "id": "int", "name": "str", "currency": "currency", "created_at": "datetime", "updated_at": "datetime",
    "journal": "link?", "ledger_account": "link",
}
FISCAL_YEAR = {"start": "date", "finish": "date", "status": ("open", "reopen", "closed", "frozen")}  # company-fiscal-years
CHANGE = {"id": "int", "operation": ("insert", "update", "delete"), "processed_at": "datetime",
          "updated_at": "datetime", "created_at": "datetime"}  # getcustomerinvoiceschanges and the other changelogs
AMOUNTS = ("amount", "currency_amount", "currency_amount_before_tax", "exchange_rate", "currency_tax", "tax")


# ---- the fake, served -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world():
    fake = build_fake(seed=42, today=date.today())
    fake.evolves = False  # the books hold still while the module reads them
    fake.enforce_rate_limit = False  # the 429 tests switch it on for themselves
    with served(fake) as base_url:
        yield fake, base_url


@pytest.fixture
def fake(world):
    fake, _url = world
    yield fake
    fake.faults.reset()
    fake.enforce_rate_limit = False
    fake.clock = time.time
    fake.windows.clear()
    fake.scopes.clear()


@pytest.fixture
def http(world, fake):
    _fake, base_url = world
    with httpx.Client(base_url=f"{base_url}{V2}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
        yield client


def every(http: httpx.Client, resource: str, **params) -> list[dict]:
    """A whole list, page after page, the way the connector reads it (filter and sort sent again)."""
    items, cursor = [], None
    while True:
        response = http.get(f"/{resource}", params={"limit": 100, **params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        assert not problems(body, CURSOR_ENVELOPE), problems(body, CURSOR_ENVELOPE)
        items += body["items"]
        if not body["has_more"]:
            assert body["next_cursor"] is None  # "A null next_cursor indicates no further results"
            return items
        cursor = body["next_cursor"]


def book(fake):
    return fake.books[fake.tokens[TOKEN]]


def on_purpose(item: dict) -> bool:
    """The scenario's invoices malformed on purpose (the connector's rejection path): exempt from formats."""
    return item.get("label") == "Import manuel"


# ---- lists and objects, field by field ----------------------------------------------------------


def test_customers_are_company_or_individual_customers_as_documented(http):
    customers = every(http, "customers", sort="id")

    assert_shape([c for c in customers if c["customer_type"] == "company"], COMPANY_CUSTOMER,
                 f"{REFERENCE}getcompanycustomer")
    assert_shape([c for c in customers if c["customer_type"] == "individual"], INDIVIDUAL_CUSTOMER,
                 f"{REFERENCE}getindividualcustomer")


def test_suppliers_are_as_documented(http):
    assert_shape(every(http, "suppliers", sort="id"), SUPPLIER, f"{REFERENCE}getsuppliers")


def test_customer_invoices_are_as_documented_with_string_amounts(http):
    invoices = every(http, "customer_invoices", sort="id")

    assert_shape(invoices, CUSTOMER_INVOICE, f"{REFERENCE}getcustomerinvoices")
    assert {i["status"] for i in invoices} >= {"paid", "credit_note"}
    wrong = [i["id"] for i in invoices if not on_purpose(i) and not all(_amount(i[a]) for a in AMOUNTS)]
    assert not wrong
    credit_notes = [i for i in invoices if i["status"] == "credit_note"]
    assert all(i["credited_invoice"] is not None for i in credit_notes)


def test_supplier_invoices_are_as_documented(http):
    invoices = every(http, "supplier_invoices", sort="id")

    assert_shape(invoices, SUPPLIER_INVOICE, f"{REFERENCE}getsupplierinvoices")
    assert all(_amount(i[a]) for i in invoices for a in AMOUNTS)


def test_transactions_are_as_documented(http):
    assert_shape(every(http, "transactions", sort="id"), TRANSACTION, f"{REFERENCE}gettransactions")


def test_bank_accounts_are_as_documented_and_link_to_their_journal_and_account(fake, http):
    accounts = every(http, "bank_accounts", sort="id")

    assert_shape(accounts, BANK_ACCOUNT, f"{REFERENCE}getbankaccounts")
    ledger = book(fake).objects["ledger_accounts"][accounts[0]["ledger_account"]["id"]]
    assert ledger["number"].startswith("512")


def test_fiscal_years_come_in_the_cursor_envelope_with_their_dates_and_status(http):
    # company-fiscal-years, and the 2026 API changes guide (pagination moves to cursors).
    years = every(http, "fiscal_years")

    assert_shape(years, FISCAL_YEAR, f"{REFERENCE}company-fiscal-years")
    assert all(y["start"] < y["finish"] for y in years)


@pytest.mark.parametrize(("resource", "shape", "page"), [
    ("customers", CUSTOMER_COMMON, "getcustomer"),
    ("suppliers", SUPPLIER, "getsupplier"),
    ("customer_invoices", CUSTOMER_INVOICE, "getcustomerinvoice"),
    ("supplier_invoices", SUPPLIER_INVOICE, "getsupplierinvoice"),
    ("transactions", TRANSACTION, "gettransaction"),
])
def test_an_object_read_by_id_has_the_listed_shape(fake, http, resource, shape, page):
    obj_id = min(book(fake).objects[resource])

    response = http.get(f"/{resource}/{obj_id}")

    assert response.status_code == 200
    assert response.json()["id"] == obj_id
    assert not problems(response.json(), shape), f"{REFERENCE}{page}: {problems(response.json(), shape)}"


def test_an_unknown_id_is_a_404_with_the_documented_body(http):
    response = http.get("/customer_invoices/1")

    assert response.status_code == 404
    assert not problems(response.json(), {"error": "str", "status": "int"})  # every reference page, 404


# ---- request shapes: limit, sort, cursor, filter ---------------------------------------------------


@pytest.mark.parametrize("resource", ["customers", "suppliers", "customer_invoices", "supplier_invoices",
                                      "transactions", "bank_accounts"])
def test_limit_defaults_to_20_and_must_be_between_1_and_100(http, resource):
    # Every list page: "limit: 1 to 100. Defaults to 20 if not specified. Must be between 1 and 100."
    default = http.get(f"/{resource}").json()
    assert len(default["items"]) == 20 if default["has_more"] else len(default["items"]) <= 20
    assert http.get(f"/{resource}", params={"limit": 100}).status_code == 200
    for wrong in (0, 101):
        response = http.get(f"/{resource}", params={"limit": wrong})
        assert response.status_code == 400
        assert not problems(response.json(), {"error": "str", "status": "int"})


def test_the_default_sort_is_newest_first_and_id_sorts_ascending(http):
    # "sort: Defaults to -id … `id` will sort by ascending order, `-id` will sort by descending order."
    newest = [i["id"] for i in http.get("/customer_invoices", params={"limit": 50}).json()["items"]]
    oldest = [i["id"] for i in http.get("/customer_invoices", params={"limit": 50, "sort": "id"}).json()["items"]]

    assert newest == sorted(newest, reverse=True)
    assert oldest == sorted(oldest)
    by_date = [i["date"] for i in http.get("/customer_invoices", params={"limit": 100, "sort": "date"}).json()["items"]]
    assert by_date == sorted(by_date)  # getcustomerinvoices: "Available fields: id, date"


def test_an_invalid_cursor_is_a_400(http):
    # using-cursor-based-pagination: "Invalid cursors will result in a 400 Bad Request response"
    assert http.get("/customers", params={"cursor": "not-a-cursor"}).status_code == 400


def _on(field: str, op: str, value):
    return [{"field": field, "operator": op, "value": value}]


def _linked(link: str):
    """A filter on the first object's link (`customer_id` eq …), and what it must select."""
    def build(first: dict):
        target = first[link]["id"]
        return _on(f"{link}_id", "eq", target), lambda item: item[link]["id"] == target
    return build


FILTERS = {
    # getcustomerinvoices: `id`, `date`, `customer_id`: lt, lteq, gt, gteq, eq, not_eq, in, not_in;
    # `invoice_number`: eq, not_eq, in, not_in
    "invoices from a date (the connector's)": ("customer_invoices", lambda first: (
        _on("date", "gteq", "2026-01-01"), lambda i: i["date"] >= "2026-01-01")),
    "invoices of one month": ("customer_invoices", lambda first: (
        _on("date", "gteq", "2026-01-01") + _on("date", "lt", "2026-02-01"),
        lambda i: "2026-01-01" <= i["date"] < "2026-02-01")),
    "invoices of one customer": ("customer_invoices", _linked("customer")),
    "an invoice by number": ("customer_invoices", lambda first: (
        _on("invoice_number", "eq", first["invoice_number"]), lambda i: i["invoice_number"] == first["invoice_number"])),
    # getsupplierinvoices: `supplier_id`, `date`: lt, lteq, gt, gteq, eq, not_eq, in, not_in
    "supplier invoices of one supplier": ("supplier_invoices", _linked("supplier")),
    "supplier invoices up to a date": ("supplier_invoices", lambda first: (
        _on("date", "lteq", "2025-12-31"), lambda i: i["date"] <= "2025-12-31")),
    # gettransactions: `bank_account_id`: eq, not_eq, in, not_in; `date`: eq, not_eq, gt, lt, lteq, gteq
    "transactions of one bank account": ("transactions", _linked("bank_account")),
    "transactions after a date": ("transactions", lambda first: (
        _on("date", "gt", "2026-06-30"), lambda i: i["date"] > "2026-06-30")),
}


@pytest.mark.parametrize("case", list(FILTERS))
def test_documented_filters_select_what_they_say(fake, http, case):
    resource, build = FILTERS[case]
    objects = sorted(book(fake).objects[resource].values(), key=lambda o: o["id"])
    rules, holds = build(objects[0])

    items = every(http, resource, sort="id", filter=json.dumps(rules))

    assert items and all(holds(i) for i in items)
    if case != "transactions of one bank account":  # the company has one bank account
        assert len(items) < len(objects)


@pytest.mark.parametrize("resource", ["customers", "suppliers", "customer_invoices", "supplier_invoices",
                                      "transactions"])
def test_the_connectors_by_id_filter_returns_exactly_those_ids(fake, http, resource):
    # Every list documents `id` with `in`: how the connector fetches what a changelog names.
    wanted = sorted(book(fake).objects[resource])[:5]

    items = every(http, resource, sort="id", filter=json.dumps([{"field": "id", "operator": "in", "value": wanted}]))

    assert [i["id"] for i in items] == wanted


def test_lists_cannot_filter_on_updated_at(http):
    # Not among any list's documented filter fields (INTEGRATIONS.md: business fields only).
    rules = [{"field": "updated_at", "operator": "gteq", "value": "2026-01-01T00:00:00Z"}]

    assert http.get("/customer_invoices", params={"filter": json.dumps(rules)}).status_code == 400


def test_a_filter_that_is_not_a_json_array_is_a_400(http):
    assert http.get("/customer_invoices", params={"filter": "date>=2026-01-01"}).status_code == 400


# ---- changelogs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["customers", "suppliers", "customer_invoices", "supplier_invoices",
                                      "transactions"])
def test_a_changelog_lists_changes_oldest_first_as_documented(http, resource):
    start = (datetime.now(UTC) - timedelta(weeks=4) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    response = http.get(f"/changelogs/{resource}", params={"start_date": start, "limit": 1000})

    assert response.status_code == 200
    body = response.json()
    assert not problems(body, CURSOR_ENVELOPE)
    if body["items"]:
        assert_shape(body["items"], CHANGE, f"{REFERENCE}getcustomerinvoiceschanges")
        stamps = [e["processed_at"] for e in body["items"]]
        assert stamps == sorted(stamps)
        assert min(stamps) >= start


def test_changelog_pages_follow_the_cursor_alone(http):
    start = (datetime.now(UTC) - timedelta(weeks=4) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    first = http.get("/changelogs/customer_invoices", params={"start_date": start, "limit": 1}).json()
    assert first["has_more"] and first["next_cursor"]

    second = http.get("/changelogs/customer_invoices", params={"cursor": first["next_cursor"], "limit": 1})

    assert second.status_code == 200
    assert second.json()["items"][0]["processed_at"] >= first["items"][0]["processed_at"]


def test_start_date_and_cursor_together_are_a_400(http):
    # getcustomerinvoiceschanges: "Providing both start_date and cursor parameters will result in a 400"
    start = (datetime.now(UTC) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    cursor = http.get("/changelogs/customer_invoices", params={"limit": 1}).json()["next_cursor"]

    response = http.get("/changelogs/customer_invoices", params={"start_date": start, "cursor": cursor})

    assert response.status_code == 400
    assert not problems(response.json(), {"error": "str", "status": "int"})


def test_a_start_date_older_than_four_weeks_is_a_422_with_the_documented_body(http):
    # getcustomerinvoiceschanges: "providing a start_date older than that will result in a 422 response"
    old = (datetime.now(UTC) - timedelta(weeks=5)).isoformat().replace("+00:00", "Z")

    response = http.get("/changelogs/customer_invoices", params={"start_date": old})

    assert response.status_code == 422
    assert not problems(response.json(), {"error": "str", "status": "int"})


def test_changelog_limit_is_between_1_and_1000(http):
    assert http.get("/changelogs/transactions", params={"limit": 1000}).status_code == 200
    assert http.get("/changelogs/transactions", params={"limit": 1001}).status_code == 400


# ---- errors -------------------------------------------------------------------------------------


def test_a_missing_or_unknown_token_is_a_401_with_the_documented_body(world, http):
    _fake, base_url = world
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = httpx.get(f"{base_url}{V2}/customers", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error": "Access token is missing or invalid", "status": 401}


def test_a_missing_scope_is_a_403_with_the_documented_body(fake, http):
    fake.scopes[TOKEN] = {"customers:readonly"}

    response = http.get("/supplier_invoices")

    assert response.status_code == 403
    assert not problems(response.json(), {"error": "str", "status": "int"})
    assert "supplier_invoices:readonly" in response.json()["error"]


# ---- rate limits (https://pennylane.readme.io/docs/rate-limiting-1) -----------------------------


def test_every_answer_carries_the_ratelimit_headers_and_no_retry_after(http):
    response = http.get("/customers", params={"limit": 1})

    assert response.headers["ratelimit-limit"] == "25"
    assert int(response.headers["ratelimit-remaining"]) <= 25
    assert int(response.headers["ratelimit-reset"]) >= int(time.time())
    assert "retry-after" not in response.headers


def test_the_26th_request_in_5_seconds_is_a_plain_text_429_with_the_documented_headers(fake, http):
    fake.enforce_rate_limit = True
    now = time.time()
    fake.clock = lambda: now  # the 26 requests fall in one window however slow the machine
    statuses = [http.get("/customers", params={"limit": 1}).status_code for _ in range(25)]

    response = http.get("/customers", params={"limit": 1})

    assert statuses == [200] * 25
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/plain")
    wait = int(response.headers["retry-after"])
    assert response.text == f"Rate limit exceeded. Please retry in {wait} seconds."
    assert 1 <= wait <= 5
    assert response.headers["ratelimit-limit"] == "25"
    assert response.headers["ratelimit-remaining"] == "0"
    assert int(response.headers["ratelimit-reset"]) >= int(time.time())


def test_a_switched_on_429_burst_answers_the_same_way(fake, http):
    fake.faults.rate_limited = 2

    first, second, third = (http.get("/transactions", params={"limit": 1}) for _ in range(3))

    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.text.startswith("Rate limit exceeded. Please retry in ")
    assert first.headers["retry-after"].isdigit()
