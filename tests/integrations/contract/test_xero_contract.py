"""Contract: Xero's official Python SDK (`xero-python`, which nobody here wrote) talks to our fake over
real HTTP, served as `manage.py fake_provider xero` serves it. The SDK deserialises every answer into
its generated models — `/Date(…)/` dates, enums such as AccountType, InvoiceStatus and CurrencyCode
included (an unknown value raises) — and every field our fake sends must be one the SDK's model
knows, so the fake cannot invent shapes. Identity: `/connections` and the single-use refresh token.

Shapes: Xero's OpenAPI (github.com/XeroAPI/Xero-OpenAPI, xero_accounting.yaml and xero-identity.yaml)
as the SDK's models encode them; limits: developer.xero.com/documentation/guides/oauth2/limits.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from xero_python.accounting import AccountingApi
from xero_python.accounting import models as accounting_models
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import HTTPStatusException
from xero_python.identity import IdentityApi

from integrations.fakes.xero import XeroFake
from integrations.fakes.xero_scenario import TENANT_ID, demo_tenant
from tests.integrations.contract.served import served

ACCESS, REFRESH = "xero-at-contract", "xero-rt-contract"


@pytest.fixture
def fake():
    tenant = demo_tenant(today=date.today())
    fake = XeroFake([tenant], tokens={ACCESS: [TENANT_ID]})
    fake.add_refresh_token(REFRESH, [TENANT_ID])
    fake.tenant = tenant
    return fake


@pytest.fixture
def base_url(fake):
    with served(fake) as url:
        yield url


@pytest.fixture
def api_client(base_url):
    store = {"token": {"access_token": ACCESS, "refresh_token": REFRESH, "token_type": "Bearer",
                       "expires_in": 1800, "expires_at": time.time() + 1800,
                       "scope": ["offline_access", "accounting.transactions.read"]}}
    client = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id=XeroFake.client_id,
                                                              client_secret=XeroFake.client_secret)),
                       pool_threads=1, oauth2_token_getter=lambda: store["token"],
                       oauth2_token_saver=lambda token: store.update(token=token))
    client.store = store
    return client


@pytest.fixture
def accounting(api_client, base_url):
    return AccountingApi(api_client, base_url=f"{base_url}/api.xro/2.0")


def _unknown_fields(payload: dict, model) -> set[str]:
    """Keys of a payload the SDK model has no attribute for (recursively into nested models we send)."""
    known = set(model.attribute_map.values())
    unknown = set(payload) - known
    for attr, key in model.attribute_map.items():
        value = payload.get(key)
        kind = model.openapi_types[attr]
        inner = kind[5:-1] if kind.startswith("list[") else kind
        nested = getattr(accounting_models, inner, None)
        if nested is None or not hasattr(nested, "attribute_map"):
            continue
        for item in value if isinstance(value, list) else [value] if isinstance(value, dict) else []:
            unknown |= {f"{key}.{k}" for k in _unknown_fields(item, nested)}
    return unknown


@pytest.mark.parametrize(("collection", "model"), [
    ("Accounts", accounting_models.Account), ("Contacts", accounting_models.Contact),
    ("Invoices", accounting_models.Invoice), ("CreditNotes", accounting_models.CreditNote),
    ("Payments", accounting_models.Payment), ("BankTransactions", accounting_models.BankTransaction)])
def test_every_field_the_fake_sends_is_one_the_sdk_knows(fake, collection, model):
    rows = list(fake.tenant.objects[collection].values())
    sent = json.loads(json.dumps(rows, default=float))

    assert rows and all(_unknown_fields(row, model) == set() for row in sent)


def test_journal_fields_are_known_to_the_sdk(fake):
    sent = json.loads(json.dumps(fake.tenant.journals, default=float))

    assert all(_unknown_fields(journal, accounting_models.Journal) == set() for journal in sent)


def test_invoices_deserialise_with_dates_enums_and_amounts(fake, accounting):
    invoices = accounting.get_invoices(TENANT_ID, page=1, page_size=100).invoices

    assert len(invoices) == 16
    first = next(i for i in invoices if i.invoice_number == "INV-1000")
    assert first.type == "ACCREC" and first.status == "PAID"
    assert first.date == date.today() - timedelta(days=11 * 10 + 40)
    assert str(first.currency_code.value) == "USD" and first.currency_rate == 1.25
    assert first.total == 1500.0 and first.payments[0].date == first.date + timedelta(days=20)
    assert {i.status for i in invoices} == {"PAID", "AUTHORISED", "DRAFT"}


def test_if_modified_since_is_sent_by_the_sdk_and_honoured(fake, accounting):
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert accounting.get_invoices(TENANT_ID, if_modified_since=later, page=1).invoices == []
    sent = fake.requests_to("/Invoices")[-1].headers["if-modified-since"]
    assert sent.startswith(later.strftime("%Y-%m-%dT%H:%M"))


def test_journals_deserialise_and_page_by_offset(fake, accounting):
    first = accounting.get_journals(TENANT_ID).journals
    after = accounting.get_journals(TENANT_ID, offset=first[-1].journal_number).journals

    assert [j.journal_number for j in first] == list(range(1, len(fake.tenant.journals) + 1))
    assert after == []
    line = first[0].journal_lines[0]
    assert line.account_code == "610" and str(line.account_type.value) == "CURRENT"
    invoice = fake.tenant.objects["Invoices"][first[0].source_id]
    assert first[0].source_type == "ACCREC" and first[0].reference == invoice["InvoiceNumber"]
    assert first[0].journal_date == date.today() - timedelta(days=11 * 10 + 40)


def test_accounts_deserialise_with_their_class_and_type(accounting):
    accounts = {a.code: a for a in accounting.get_accounts(TENANT_ID).accounts}

    assert accounts["200"].type.value == "SALES" and accounts["200"]._class == "REVENUE"
    assert accounts["610"].system_account == "DEBTORS"


def test_the_organisation_says_its_base_currency_and_year_end(accounting):
    organisation = accounting.get_organisations(TENANT_ID).organisations[0]

    assert str(organisation.base_currency.value) == "EUR"
    assert (organisation.financial_year_end_day, organisation.financial_year_end_month) == (31, 3)


def test_payments_credit_notes_contacts_and_bank_transactions_deserialise(accounting):
    assert len(accounting.get_payments(TENANT_ID, page=1).payments) == 6
    assert accounting.get_credit_notes(TENANT_ID, page=1).credit_notes[0].type == "ACCRECCREDIT"
    assert {c.is_supplier for c in accounting.get_contacts(TENANT_ID, page=1).contacts} == {True, False}
    assert accounting.get_bank_transactions(TENANT_ID, page=1).bank_transactions[0].type == "RECEIVE"


def test_another_tenant_is_refused_with_the_sdks_forbidden(accounting):
    with pytest.raises(HTTPStatusException) as refused:
        accounting.get_invoices("not-a-tenant-of-this-token")

    assert refused.value.status == 403
    assert json.loads(refused.value.body)["Detail"] == "AuthenticationUnsuccessful"


def test_a_429_names_the_limit_and_the_sdk_retries_after_what_it_says(fake, accounting):
    fake.throttle_next = 1
    fake.throttle_retry_after = 0

    assert accounting.get_accounts(TENANT_ID).accounts  # urllib3 honours Retry-After on a 429

    assert [r.status for r in fake.requests_to("/Accounts")] == [429, 200]


def test_a_429_that_lasts_reaches_the_caller_with_the_limit_named(fake, accounting):
    fake.throttle_next = 10
    fake.throttle_retry_after = 0
    fake.throttle_problem = "day"

    with pytest.raises(HTTPStatusException) as limited:
        accounting.get_accounts(TENANT_ID)

    assert limited.value.status == 429
    assert limited.value.headers["Retry-After"] == "0"
    assert limited.value.headers["X-Rate-Limit-Problem"] == "day"


def test_connections_list_the_granted_tenant(api_client, base_url):
    connections = IdentityApi(api_client, base_url=base_url).get_connections()

    assert [(c.tenant_id, c.tenant_type, c.tenant_name) for c in connections] == [
        (TENANT_ID, "ORGANISATION", "Bois Fin UK Ltd")]


def test_the_sdks_refresh_rotates_a_single_use_refresh_token(fake, api_client, base_url):
    tokens = TokenApi(api_client, XeroFake.client_id, XeroFake.client_secret)
    tokens.refresh_token_url = f"{base_url}/connect/token"

    fresh = tokens.refresh_token(REFRESH, "offline_access accounting.transactions.read")

    assert fresh["refresh_token"] != REFRESH and fresh["expires_in"] == 1800
    with pytest.raises(HTTPStatusException) as reused:
        tokens.refresh_token(REFRESH, "offline_access accounting.transactions.read")
    assert reused.value.status == 400
