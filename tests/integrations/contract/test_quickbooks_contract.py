"""Contract: our QuickBooks Online fake, served over real HTTP as `manage.py fake_provider quickbooks`
serves it, answers in the shapes Intuit documents for the Accounting API v3, field by field, for every
entity the connector reads. Intuit's OpenAPI is not used here (see the README); each shape is transcribed
from the entity's reference page it cites (ENTITY_PAGE + the entity's name in lower case), and the
envelopes, errors and headers from the pages named beside them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from integrations.fakes.quickbooks import QuickBooksFake
from integrations.fakes.quickbooks_scenario import REALM_ID, demo_company
from tests.integrations.contract.served import served

ENTITY_PAGE = "https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/"
QUERY_PAGE = "https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries"
CDC_PAGE = "https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture"
ERRORS_PAGE = "https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes"
TOKEN = "qbo-contract-token"

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
CHECKS = {
    "id": lambda v: isinstance(v, str) and v.isdigit(),  # Ids are strings of digits
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),  # "Decimal" in the reference
    "date": lambda v: isinstance(v, str) and bool(DATE.match(v)),
    "ref": lambda v: isinstance(v, dict) and isinstance(v.get("value"), str),  # ReferenceType {value, name?}
    "meta": lambda v: isinstance(v, dict) and all(DATETIME.match(v.get(k, "")) for k in ("CreateTime", "LastUpdatedTime")),
    "lines": lambda v: isinstance(v, list) and all(isinstance(line, dict) and "Amount" in line for line in v),
    "linked": lambda v: isinstance(v, list) and all(CHECKS["id"](t.get("TxnId")) and isinstance(t.get("TxnType"), str)
                                                    for t in v),
    "object": lambda v: isinstance(v, dict),
}
COMMON = {"Id": "id", "SyncToken": "str", "MetaData": "meta"}
# entity → (required fields, optional fields the fake sends); the types as each entity's page gives them.
SHAPES = {
    "Account": ({"Name": "str", "AccountType": "str", "AccountSubType": "str", "Classification": "str", "Active": "bool"},
                {"AcctNum": "str"}),
    "Customer": ({"DisplayName": "str", "Active": "bool"}, {}),
    "Vendor": ({"DisplayName": "str", "Active": "bool"}, {}),
    "Invoice": ({"TxnDate": "date", "CustomerRef": "ref", "TotalAmt": "number", "Balance": "number", "Line": "lines"},
                {"DocNumber": "str", "DueDate": "date", "CurrencyRef": "ref", "ExchangeRate": "number",
                 "TxnTaxDetail": "object", "LinkedTxn": "linked"}),
    "CreditMemo": ({"TxnDate": "date", "CustomerRef": "ref", "TotalAmt": "number", "Balance": "number",
                    "RemainingCredit": "number", "Line": "lines"},
                   {"DocNumber": "str", "CurrencyRef": "ref", "ExchangeRate": "number", "TxnTaxDetail": "object"}),
    "Payment": ({"TxnDate": "date", "CustomerRef": "ref", "TotalAmt": "number", "Line": "lines"},
                {"DepositToAccountRef": "ref", "CurrencyRef": "ref", "ExchangeRate": "number"}),
    "Bill": ({"TxnDate": "date", "VendorRef": "ref", "TotalAmt": "number", "Balance": "number", "Line": "lines"},
             {"DocNumber": "str", "DueDate": "date", "CurrencyRef": "ref", "LinkedTxn": "linked"}),
    "BillPayment": ({"TxnDate": "date", "VendorRef": "ref", "TotalAmt": "number", "PayType": "str", "Line": "lines"},
                    {"CurrencyRef": "ref", "CheckPayment": "object", "CreditCardPayment": "object"}),
    "Deposit": ({"TxnDate": "date", "DepositToAccountRef": "ref", "TotalAmt": "number", "Line": "lines"},
                {"CurrencyRef": "ref"}),
    "Purchase": ({"TxnDate": "date", "PaymentType": "str", "AccountRef": "ref", "TotalAmt": "number", "Line": "lines"},
                 {"CurrencyRef": "ref", "Credit": "bool"}),
    "JournalEntry": ({"TxnDate": "date", "Line": "lines"}, {"DocNumber": "str", "CurrencyRef": "ref"}),
}
DETAIL_TYPES = {  # each line's DetailType names the detail object it carries (the entity pages' Line section)
    "SalesItemLineDetail", "SubTotalLineDetail", "AccountBasedExpenseLineDetail", "DepositLineDetail",
    "JournalEntryLineDetail"}


@pytest.fixture(scope="module")
def api():
    fake = QuickBooksFake([demo_company()], tokens={TOKEN: REALM_ID})
    with served(fake) as base, httpx.Client(base_url=f"{base}/v3/company/{REALM_ID}", headers={
            "Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}) as client:
        yield client


def _query(api, entity: str) -> list[dict]:
    response = api.get("/query", params={"query": f"SELECT * FROM {entity} STARTPOSITION 1 MAXRESULTS 1000",
                                         "minorversion": "75"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"QueryResponse", "time"}  # QUERY_PAGE: the QueryResponse envelope
    envelope = body["QueryResponse"]
    assert envelope["startPosition"] == 1 and envelope["maxResults"] == len(envelope[entity])
    return envelope[entity]


@pytest.mark.parametrize("entity", sorted(SHAPES))
def test_each_entity_has_its_documented_fields_and_types(api, entity):
    """ENTITY_PAGE + entity.lower(): the fields the connector reads, with their documented types."""
    required, optional = SHAPES[entity]
    rows = _query(api, entity)
    assert rows, entity
    for row in rows:
        for name, kind in {**COMMON, **required}.items():
            assert name in row and CHECKS[kind](row[name]), (entity, name, row.get(name))
        for name, kind in optional.items():
            if name in row:
                assert CHECKS[kind](row[name]), (entity, name, row[name])
        for line in row.get("Line", []):
            if "DetailType" in line:
                assert line["DetailType"] in DETAIL_TYPES and line["DetailType"] in line, (entity, line)


def test_a_bill_payment_carries_the_payment_detail_its_pay_type_names(api):
    """ENTITY_PAGE billpayment: CheckPayment.BankAccountRef is required for Check, CreditCardPayment.CCAccountRef
    for CreditCard."""
    for row in _query(api, "BillPayment"):
        detail = {"Check": ("CheckPayment", "BankAccountRef"), "CreditCard": ("CreditCardPayment", "CCAccountRef")}
        holder, ref = detail[row["PayType"]]
        assert CHECKS["ref"](row[holder][ref])
        assert all(t["TxnType"] == "Bill" for line in row["Line"] for t in line["LinkedTxn"])


def test_a_purchase_is_paid_by_cash_cheque_or_card(api):
    """ENTITY_PAGE purchase: PaymentType is Cash, Check or CreditCard; AccountRef the account paid from."""
    assert {row["PaymentType"] for row in _query(api, "Purchase")} <= {"Cash", "Check", "CreditCard"}


def test_a_credit_memo_is_applied_by_a_payment_linking_it_and_the_invoice(api):
    """ENTITY_PAGE payment: a Payment's lines link the invoices it pays and the credit memos it applies."""
    applying = [p for p in _query(api, "Payment")
                if any(t["TxnType"] == "CreditMemo" for line in p["Line"] for t in line["LinkedTxn"])]
    assert applying
    for payment in applying:
        assert {t["TxnType"] for line in payment["Line"] for t in line["LinkedTxn"]} == {"Invoice", "CreditMemo"}


def test_company_info_states_the_fiscal_year_start_as_a_month_name(api):
    """ENTITY_PAGE companyinfo: FiscalYearStartMonth, e.g. "January"; ENTITY_PAGE preferences:
    AccountingInfoPrefs.FirstMonthOfFiscalYear."""
    info = api.get(f"/companyinfo/{REALM_ID}", params={"minorversion": "75"}).json()["CompanyInfo"]
    assert info["FiscalYearStartMonth"] == "April" and isinstance(info["CompanyName"], str)
    prefs = api.get("/preferences", params={"minorversion": "75"}).json()["Preferences"]
    assert prefs["AccountingInfoPrefs"]["FirstMonthOfFiscalYear"] == "April"


def test_cdc_answers_per_entity_inside_one_cdc_response(api):
    """CDC_PAGE: {"CDCResponse": [{"QueryResponse": [{"<Entity>": [...]}, …]}], "time"}, 30 days back at most."""
    since = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S-00:00")
    body = api.get("/cdc", params={"entities": "CreditMemo,BillPayment,Deposit,Purchase", "changedSince": since,
                                   "minorversion": "75"}).json()
    parts = body["CDCResponse"][0]["QueryResponse"]
    assert [next(k for k in p if k not in ("startPosition", "maxResults")) for p in parts] == [
        "CreditMemo", "BillPayment", "Deposit", "Purchase"]
    too_old = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%S-00:00")
    assert api.get("/cdc", params={"entities": "Deposit", "changedSince": too_old,
                                   "minorversion": "75"}).status_code == 400


def test_errors_are_faults_and_every_answer_carries_an_intuit_tid(api):
    """ERRORS_PAGE: {"Fault": {"Error": [{"Message", "Detail", "code"}], "type"}, "time"}; the intuit_tid
    response header identifies the call for Intuit's support."""
    refused = api.get("/query", params={"query": "SELECT * FROM Deposit"})  # no minorversion
    assert refused.status_code == 400 and refused.headers["intuit_tid"]
    fault = refused.json()["Fault"]
    assert isinstance(fault["type"], str)
    assert all(set(e) == {"Message", "Detail", "code"} for e in fault["Error"])
    assert api.get(f"/companyinfo/{REALM_ID}", params={"minorversion": "75"}).headers["intuit_tid"]


def test_the_general_ledger_report_has_columns_by_colkey_and_a_section_per_account(api):
    """ENTITY_PAGE generalledger: Header, Columns.Column[] ({ColTitle, ColType, MetaData: [{Name: "ColKey",
    Value}]}), Rows.Row[] of Sections (Header.ColData[0] names the account, with its id) holding Data rows
    whose ColData follow the columns; the txn_type cell carries the transaction's id."""
    columns = "tx_date,txn_type,doc_num,memo,debt_amt,credit_amt"
    body = api.get("/reports/GeneralLedger", params={"start_date": "2000-01-01", "end_date": "2100-01-01",
                                                     "columns": columns, "minorversion": "75"}).json()
    assert body["Header"]["ReportName"] == "GeneralLedger"
    keys = [next(m["Value"] for m in c["MetaData"] if m["Name"] == "ColKey") for c in body["Columns"]["Column"]]
    assert keys == columns.split(",")
    assert all(isinstance(c["ColTitle"], str) and isinstance(c["ColType"], str) for c in body["Columns"]["Column"])
    sections = body["Rows"]["Row"]
    assert sections and all(s["type"] == "Section" and CHECKS["id"](s["Header"]["ColData"][0]["id"]) for s in sections)
    for section in sections:
        for row in section["Rows"]["Row"]:
            assert row["type"] == "Data" and len(row["ColData"]) == len(keys)
            cells = dict(zip(keys, row["ColData"]))
            assert DATE.match(cells["tx_date"]["value"]) and CHECKS["id"](cells["txn_type"]["id"])
