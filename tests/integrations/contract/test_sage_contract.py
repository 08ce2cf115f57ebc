"""The fake Sage Business Cloud Accounting against Sage's documentation, shape by shape.

Sage publishes no Python SDK, so each documented behaviour is checked field by field, served over real
HTTP by the server `manage.py fake_provider` runs. Sources (read with the search tool):
- AUTH: "Authentication" (developer.sage.com/accounting/guides/authenticating/authentication): authorize
  at https://www.sageone.com/oauth2/auth/central?filter=apiv3.1 (client_id, response_type=code,
  redirect_uri; scope readonly|full_access; state; country); token POST https://oauth.accounting.sage.com/token;
  `Authorization: Bearer`; X-Business optional, else the user's lead business.
- ERRORS: "Frequently Raised Errors" (…/guides/concepts/frequently_raised_errors): token exchange 400
  `{"error": "invalid_grant"}` (a code expires after 60 seconds and is single-use; redirect_uri must match);
  API errors as a list of `{"$severity", "$dataCode", "$message", "$source"}`.
- CODES: "Response Codes" (…/guides/concepts/response_codes): 401, 404, 422, 429 (throttling), 500, 503.
- BUSINESSES: "Best Practices" (…/guides/concepts/best_practices): `/businesses` lists the user's businesses
  (`$total`, `$items` of `{id, displayed_as, $path}`); the chosen id goes in X-Business.
- PAGING: "Pagination" (…/guides/efficiencies/pagination): `items_per_page` (max 200) and `page`; a page
  past the last answers the last page; envelope `$total`, `$page`, `$next`, `$back`, `$itemsPerPage`, `$items`.
- FILTERS: "Filtering" (…/guides/efficiencies/filtering): `updated_or_created_since`, `deleted_since`
  (general filters of index endpoints).
- INVOICES: Sage's OpenAPI for `GET /sales_invoices` (as its generated clients document it):
  `show_payments_allocations`, `updated_or_created_since` inclusive, `deleted_since` not inclusive,
  `items_per_page` default 20, `attributes=all`; amounts in the document's and the base currency.
- LEDGER: `GET /ledger_entries` reference: `date`, `debit`, `credit`, `ledger_account`, `transaction`,
  `transaction_type`, filters `updated_or_created_since`, `attributes`.
- BANK: Sage's OpenAPI models (as its generated clients document them, e.g. nook-io/python-sage docs):
  `BankAccount` (`bank_account_details`, `ledger_account`, `bank_account_type`, `balance`, `nominal_code`);
  `ContactPayment` (`transaction_type`, `bank_account`, `date`, `total_amount`, `base_currency_total_amount`,
  `reference`) and `OtherPayment` (`transaction_type`, `bank_account`, `date`, `total_amount`, `reference`).
  v3.1 has no `/bank_transactions` index: a bank account's movements are these two.
- SETTINGS: `GET /financial_settings` (`FinancialSettings`): `year_end_date`, `base_currency`.
Not documented, so not asserted: rate-limit numbers and headers (the fake's 100 a minute per business is a
setting), and the fields of a `deleted_since` item beyond `id`.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from integrations.fakes.sage import Business, SageFake
from integrations.fakes.sage_scenario import BUSINESS_ID, demo_business
from tests.integrations.contract.served import served

TOKEN = "contract-sage-token"
ENVELOPE = {"$total", "$page", "$next", "$back", "$itemsPerPage", "$items"}
ERROR_FIELDS = {"$severity", "$dataCode", "$message", "$source"}


@pytest.fixture
def fake():
    return SageFake([demo_business(today=date(2026, 9, 1)), Business(id="b-second", name="Second SAS")],
                    tokens={TOKEN: "user"})


@pytest.fixture
def api(fake):
    with served(fake) as url:
        with httpx.Client(base_url=f"{url}/v3.1", headers={"Authorization": f"Bearer {TOKEN}",
                                                           "X-Business": BUSINESS_ID}) as client:
            client.origin = url
            yield client


def _assert_error_list(response: httpx.Response, status: int) -> None:
    # ERRORS: a list of messages, each with its severity, code, message and source.
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list) and body
    assert set(body[0]) == ERROR_FIELDS


def test_the_authorize_redirect_carries_the_code_the_state_and_the_country(api, fake):
    # AUTH: the consent redirects to the callback with the code and the state given.
    query = {"client_id": fake.client_id, "response_type": "code", "redirect_uri": "https://app.test/cb",
             "scope": "readonly", "state": "s-1", "filter": "apiv3.1"}
    answer = httpx.get(f"{api.origin}/oauth2/auth/central", params=query, follow_redirects=False)

    assert answer.status_code == 302
    location = httpx.URL(answer.headers["location"])
    assert str(location.copy_with(query=None)) == "https://app.test/cb"
    assert location.params["state"] == "s-1" and location.params["code"]


def test_the_token_exchange_rotates_refresh_tokens_and_refuses_a_spent_one(api, fake):
    # AUTH + ERRORS: form-encoded POST /token; a used code or refresh token is invalid_grant (400).
    code = fake.issue_code(redirect_uri="https://app.test/cb")
    form = {"client_id": fake.client_id, "client_secret": fake.client_secret, "grant_type": "authorization_code",
            "code": code, "redirect_uri": "https://app.test/cb"}
    first = httpx.post(f"{api.origin}/token", data=form).json()
    assert {"access_token", "expires_in", "token_type", "refresh_token", "refresh_token_expires_in"} <= set(first)
    assert first["expires_in"] == 300 and first["refresh_token_expires_in"] == 31 * 24 * 3600
    assert httpx.post(f"{api.origin}/token", data=form).json() == {"error": "invalid_grant"}  # single use

    refresh = {"client_id": fake.client_id, "client_secret": fake.client_secret, "grant_type": "refresh_token",
               "refresh_token": first["refresh_token"]}
    second = httpx.post(f"{api.origin}/token", data=refresh)
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    spent = httpx.post(f"{api.origin}/token", data=refresh)
    assert spent.status_code == 400 and spent.json() == {"error": "invalid_grant"}


def test_a_code_older_than_sixty_seconds_is_refused(api, fake):
    # ERRORS: "It will expire after 60 seconds and is for a single use."
    code = fake.issue_code(redirect_uri="https://app.test/cb")
    fake.codes[code] = (fake.codes[code][0], time.time() - 61)
    form = {"client_id": fake.client_id, "client_secret": fake.client_secret, "grant_type": "authorization_code",
            "code": code, "redirect_uri": "https://app.test/cb"}

    assert httpx.post(f"{api.origin}/token", data=form).status_code == 400


def test_businesses_list_every_business_of_the_user(api):
    # BUSINESSES: the envelope, each item {id, displayed_as, $path}.
    body = api.get("/businesses").json()

    assert ENVELOPE <= set(body) and body["$total"] == 2
    assert {"id", "displayed_as", "$path"} <= set(body["$items"][0])
    assert body["$items"][0]["$path"] == f"/businesses/{body['$items'][0]['id']}"


def test_without_x_business_the_lead_business_answers(api):
    # AUTH: "if not set, the API will return data of the user's lead business."
    with_header = api.get("/ledger_accounts").json()["$total"]
    without = api.get("/ledger_accounts", headers={"X-Business": ""}).json()["$total"]
    other = api.get("/ledger_accounts", headers={"X-Business": "b-second"}).json()["$total"]

    assert with_header == without == 10 and other == 0


def test_an_unknown_or_expired_token_is_a_401_in_the_error_list_shape(api, fake):
    # CODES: 401 when credentials are invalid; ERRORS: the list shape.
    _assert_error_list(api.get("/contacts", headers={"Authorization": "Bearer nope"}), 401)
    fake.tokens[TOKEN] = time.time() - 1
    _assert_error_list(api.get("/contacts"), 401)


def test_pages_carry_the_envelope_and_next_links_until_the_last(api):
    # PAGING: the envelope; $next null on the last page; $back on later ones.
    first = api.get("/sales_invoices", params={"items_per_page": 5}).json()
    assert set(first) == ENVELOPE
    assert (first["$total"], first["$page"], first["$itemsPerPage"], first["$back"]) == (14, 1, 5, None)
    items, nxt = list(first["$items"]), first["$next"]
    while nxt:
        page = api.get(nxt).json()
        assert page["$back"]
        items += page["$items"]
        nxt = page["$next"]
    assert len(items) == 14 and len({i["id"] for i in items}) == 14


def test_a_page_past_the_last_answers_the_last_page(api):
    # PAGING: "If the value for page is greater than the actual number of pages, the last page will be returned."
    body = api.get("/contacts", params={"items_per_page": 3, "page": 40}).json()

    assert body["$page"] == 2 and body["$next"] is None and len(body["$items"]) == 1


def test_items_per_page_defaults_to_twenty_and_stops_at_two_hundred(api):
    # INVOICES: default 20; PAGING: the maximum is 200 (beyond: a 422 in the error shape).
    assert api.get("/ledger_entries").json()["$itemsPerPage"] == 20
    _assert_error_list(api.get("/ledger_entries", params={"items_per_page": 201}), 422)


def test_lists_expose_only_base_attributes_unless_asked_for_all(api):
    # INVOICES: attributes are "in addition to the base attributes"; `all` exposes every one.
    bare = api.get("/sales_invoices").json()["$items"][0]
    full = api.get("/sales_invoices", params={"attributes": "all"}).json()["$items"][0]

    assert set(bare) == {"id", "displayed_as", "$path"}
    for name in ("date", "due_date", "contact", "status", "currency", "exchange_rate", "total_amount",
                 "net_amount", "tax_amount", "outstanding_amount", "base_currency_total_amount",
                 "base_currency_net_amount", "base_currency_outstanding_amount", "updated_at", "created_at"):
        assert name in full
    assert "payments_allocations" not in full


def test_show_payments_allocations_adds_the_invoices_settlements(api):
    # INVOICES: "Use this to show the artefact's payments and allocations".
    items = api.get("/sales_invoices", params={"attributes": "all", "show_payments_allocations": "true",
                                               "items_per_page": 200}).json()["$items"]
    paid = next(i for i in items if i["status"]["id"] == "PAID")

    assert paid["payments_allocations"] and {"id", "date", "amount", "transaction_type"} <= set(
        paid["payments_allocations"][0])


def test_statuses_are_sages_artefact_status_ids(api):
    # INVOICES (Status Codes & Types): DRAFT, UNPAID, PART_PAID, PAID, VOID.
    items = api.get("/sales_invoices", params={"attributes": "all", "items_per_page": 200}).json()["$items"]

    assert {i["status"]["id"] for i in items} == {"DRAFT", "UNPAID", "PART_PAID", "PAID", "VOID"}


def test_updated_or_created_since_is_inclusive_and_deleted_since_is_not(api, fake):
    # FILTERS + INVOICES: inclusive of the passed timestamp / not inclusive.
    business = fake.businesses[BUSINESS_ID]
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)  # after every other change
    business.touch("sales_invoices", "si-0", at=moment)
    business.delete("sales_invoices", "si-1", at=moment)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    changed = api.get("/sales_invoices", params={"updated_or_created_since": stamp}).json()["$items"]
    deleted_at = api.get("/sales_invoices", params={"deleted_since": stamp}).json()["$items"]
    deleted_before = api.get("/sales_invoices", params={
        "deleted_since": (moment - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}).json()["$items"]

    assert [i["id"] for i in changed] == ["si-0"]
    assert deleted_at == [] and [i["id"] for i in deleted_before] == ["si-1"]


def test_ledger_entries_carry_their_account_transaction_and_amounts(api):
    # LEDGER: the fields the connector reads.
    entry = api.get("/ledger_entries", params={"attributes": "all"}).json()["$items"][0]

    for name in ("date", "debit", "credit", "ledger_account", "transaction", "transaction_type", "details"):
        assert name in entry
    assert {"id", "displayed_as", "$path"} <= set(entry["ledger_account"])


def test_bank_accounts_and_their_movements_carry_the_fields_the_connector_reads(api):
    # BANK: the bank account's details and ledger account; each movement its type, account, date and amounts.
    account = api.get("/bank_accounts", params={"attributes": "all"}).json()["$items"][0]
    for name in ("bank_account_details", "ledger_account", "bank_account_type", "balance", "nominal_code"):
        assert name in account
    assert "account_name" in account["bank_account_details"]
    receipt = api.get("/contact_payments", params={"attributes": "all"}).json()["$items"][0]
    for name in ("transaction_type", "bank_account", "date", "total_amount", "base_currency_total_amount",
                 "reference", "contact", "transaction"):
        assert name in receipt
    other = api.get("/other_payments", params={"attributes": "all"}).json()["$items"][0]
    for name in ("transaction_type", "bank_account", "date", "total_amount", "reference", "transaction"):
        assert name in other
    assert {receipt["transaction_type"]["id"], other["transaction_type"]["id"]} <= {
        "CUSTOMER_RECEIPT", "VENDOR_PAYMENT", "CUSTOMER_REFUND", "VENDOR_REFUND", "OTHER_RECEIPT", "OTHER_PAYMENT"}
    assert receipt["bank_account"]["id"] == other["bank_account"]["id"] == account["id"]


def test_financial_settings_state_the_year_end_date(api):
    # SETTINGS: the financial year's end date (the connector derives the start month) and the base currency.
    settings = api.get("/financial_settings").json()
    assert settings["year_end_date"] == "2026-12-31" and settings["base_currency"]["id"] == "EUR"


def test_an_unknown_path_is_a_404_in_the_error_list_shape(api):
    # CODES: 404 when the path does not exist.
    _assert_error_list(api.get("/no_such_endpoint"), 404)


def test_throttling_is_a_429_and_unavailability_a_503(api, fake):
    # CODES: 429 "prompts a throttling error"; 503 "please retry later".
    fake.throttle_next, fake.server_errors_next = 1, 1
    _assert_error_list(api.get("/contacts"), 503)
    _assert_error_list(api.get("/contacts"), 429)
    assert api.get("/contacts").status_code == 200
