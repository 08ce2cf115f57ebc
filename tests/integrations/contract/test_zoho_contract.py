"""The fake Zoho CRM answers in the shapes Zoho documents, field by field.

Each assertion below cites the page of Zoho's documentation that states the shape. Zoho's own Python SDK
(zohocrmsdk8-0) reads the fake too, pointed at it served over HTTP through a `DataCenter.Environment`:
see test_zoho_sdk_reads_the_fake.py.
"""

import json
from urllib.parse import parse_qs, urlsplit

from integrations.fakes.zoho import ZohoFake, configured_hosts
from integrations.fakes.zoho_scenario import ZohoScenario, zoho_time
from tests.integrations.zoho.conftest import acme_crm

MULTI_DC = "https://www.zoho.com/crm/developer/docs/api/v8/multi-dc.html"
OAUTH_MULTI_DC = "https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization.html"
REFRESH = "https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html"
GET_RECORDS = "https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"
DELETED = "https://www.zoho.com/crm/developer/docs/api/v8/get-deleted-records.html"
PIPELINE = "https://www.zoho.com/crm/developer/docs/api/v8/get-pipeline.html"
STATUS_CODES = "https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html"


def _fake() -> ZohoFake:
    return ZohoFake(scenario=acme_crm(), hosts=configured_hosts())


def _api(fake, path, query, token, headers=None):
    status, out_headers, body = fake.handle("GET", fake.hosts["eu"][1], path, query,
                                            {"authorization": f"Zoho-oauthtoken {token}", **(headers or {})}, b"")
    return status, out_headers, (json.loads(body) if body else None)


def test_the_consent_redirect_carries_location_and_the_accounts_server(db):
    fake = _fake()
    status, headers, _ = fake.handle("GET", fake.hosts["us"][0], "/oauth/v2/auth",
                                     {"client_id": [fake.client_id], "redirect_uri": ["http://testserver/cb"],
                                      "state": ["s"]}, {}, b"")
    query = parse_qs(urlsplit(headers["Location"]).query)
    assert status == 302
    assert query["location"] == ["eu"]  # MULTI_DC: "{redirect_uri}?code=…&location=us&accounts-server=…"
    assert query["accounts-server"] == ["http://accounts.zoho-eu.fake"]  # OAUTH_MULTI_DC
    assert set(query) == {"code", "location", "accounts-server", "state"}


def test_the_token_response_names_the_api_domain_and_lasts_an_hour(db):
    fake = _fake()
    code = fake.issue_code(redirect_uri="http://testserver/cb")
    form = (f"grant_type=authorization_code&code={code}&redirect_uri=http://testserver/cb"
            f"&client_id={fake.client_id}&client_secret={fake.client_secret}").encode()
    _status, _, body = fake.handle("POST", fake.hosts["eu"][0], "/oauth/v2/token", {}, {}, form)
    tokens = json.loads(body)
    # OAUTH_MULTI_DC, REFRESH: access_token, refresh_token, api_domain, token_type, expires_in (3600)
    assert {"access_token", "refresh_token", "api_domain", "token_type", "expires_in"} <= set(tokens)
    assert tokens["expires_in"] == 3600 and tokens["token_type"] == "Bearer"
    assert tokens["api_domain"] == "http://zohoapis-eu.fake"
    # OAUTH_MULTI_DC: the token request goes to the user's data centre; another one does not know the code
    other = fake.handle("POST", fake.hosts["us"][0], "/oauth/v2/token", {}, {}, form)
    assert json.loads(other[2]) == {"error": "invalid_code"}


def test_a_records_page_has_data_and_info_with_more_records_and_a_page_token(db):
    fake = _fake()
    token = fake.issue_tokens()["access_token"]
    status, _, body = _api(fake, "/crm/v8/Deals", {"fields": ["Deal_Name,Stage,Owner,Account_Name,Created_Time"],
                                                   "per_page": ["2"], "sort_by": ["id"], "sort_order": ["asc"]},
                           token)
    assert status == 200
    assert set(body) == {"data", "info"}  # GET_RECORDS: response {"data": [...], "info": {...}}
    assert {"per_page", "count", "page", "more_records", "next_page_token"} <= set(body["info"])  # GET_RECORDS
    deal = body["data"][0]
    assert deal["id"].isdigit() and isinstance(deal["id"], str)  # GET_RECORDS: ids are strings
    assert set(deal["Owner"]) == {"name", "id", "email"}  # GET_RECORDS: lookups are {"name", "id"} (+ email)
    assert deal["Created_Time"] == zoho_time(fake.scenario.won.created)  # ISO 8601 with offset
    assert deal["Created_Time"].endswith("+01:00")


def test_fields_are_required_and_page_stops_at_2000_records(db):
    fake = _fake()
    token = fake.issue_tokens()["access_token"]
    status, _, body = _api(fake, "/crm/v8/Deals", {}, token)
    # GET_RECORDS: fields is mandatory; STATUS_CODES: REQUIRED_PARAM_MISSING, details name the param
    assert (status, body["code"], body["details"], body["status"]) == (400, "REQUIRED_PARAM_MISSING",
                                                                       {"param": "fields"}, "error")
    status, _, body = _api(fake, "/crm/v8/Deals", {"fields": ["Deal_Name"], "page": ["11"]}, token)
    assert (status, body["code"]) == (400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED")  # GET_RECORDS: page_token past 2,000


def test_if_modified_since_answers_304_and_an_empty_module_204(db):
    fake = _fake()
    token = fake.issue_tokens()["access_token"]
    status, _, body = _api(fake, "/crm/v8/Deals", {"fields": ["Deal_Name"]}, token,
                           {"if-modified-since": "2030-01-01T00:00:00+00:00"})
    assert (status, body) == (304, None)  # GET_RECORDS: 304 Not Modified when nothing changed since
    fake.scenario = ZohoScenario()
    status, _, body = _api(fake, "/crm/v8/Deals", {"fields": ["Deal_Name"]}, token)
    assert (status, body) == (204, None)  # STATUS_CODES: 204 No Content when there is no record


def test_deleted_records_and_pipeline_stages_have_their_documented_keys(db):
    fake = _fake()
    token = fake.issue_tokens()["access_token"]
    fake.scenario.delete(fake.scenario.won)
    _, _, body = _api(fake, "/crm/v8/Deals/deleted", {"type": ["all"]}, token)
    # DELETED: {"data": [{"deleted_by", "id", "display_name", "type", "created_by", "deleted_time"}], "info"}
    assert set(body["data"][0]) == {"deleted_by", "id", "display_name", "type", "created_by", "deleted_time"}
    assert body["data"][0]["type"] in ("recycle", "permanent")
    _, _, body = _api(fake, "/crm/v8/settings/pipeline", {"layout_id": ["5725767000000091055"]}, token)
    stage = body["pipeline"][0]["maps"][0]
    # PIPELINE: maps carry display_value, actual_value, id, sequence_number, forecast_type, forecast_category
    assert {"display_value", "actual_value", "id", "sequence_number", "forecast_type", "forecast_category"} <= set(stage)
    assert {m["forecast_type"] for m in body["pipeline"][0]["maps"]} == {"Open", "Closed Won", "Closed Lost"}


def test_an_invalid_token_is_a_401_invalid_token(db):
    status, _, body = _api(_fake(), "/crm/v8/org", {}, "1000.expired")
    assert (status, body["code"]) == (401, "INVALID_TOKEN")  # STATUS_CODES: 401 INVALID_TOKEN
