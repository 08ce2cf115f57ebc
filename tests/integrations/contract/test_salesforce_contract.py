"""Contract: Salesforce's widely used Python client, simple-salesforce, reads our fake as it reads a real
org: query, query_more through nextRecordsUrl, query_all (deleted rows included with include_deleted),
the Sforce-Limit-Info usage it parses, and its documented exceptions for Salesforce's error bodies.

simple-salesforce speaks https to the instance host; a requests adapter hands those requests to the
fake's handler in-process (the same handler `manage.py fake_provider salesforce` serves).
"""

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from integrations.fakes.salesforce import Fault, SalesforceFake
from integrations.fakes.salesforce_scenario import SalesforceScenario

HOST = "acme.my.salesforce.com"


class _FakeAdapter(requests.adapters.BaseAdapter):
    def __init__(self, fake: SalesforceFake):
        super().__init__()
        self.fake = fake

    def send(self, request, **kwargs):
        split = urlsplit(request.url)
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        status, headers, payload = self.fake.handle(request.method, split.netloc, split.path,
                                                    parse_qs(split.query, keep_blank_values=True),
                                                    {k.lower(): v for k, v in request.headers.items()}, body)
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = payload
        response.url = request.url
        response.request = request
        return response

    def close(self):
        return None


@pytest.fixture
def fake():
    scenario = SalesforceScenario()
    scenario.add_standard_stages()
    owner = scenario.add_user("Karim", "Haddad", "karim@acme.test")
    for n in range(5):
        account = scenario.add_account(name=f"Client {n}", created=datetime(2026, 1, n + 1, tzinfo=UTC))
        scenario.add_opportunity(name=f"Deal {n}", amount="1000", stage="Prospecting", owner=owner, account=account,
                                 created=datetime(2026, 1, n + 1, tzinfo=UTC), close_date=date(2026, 6, 30))
    return SalesforceFake(scenario=scenario, instance_url=f"https://{HOST}")


@pytest.fixture
def sf(fake):
    session = requests.Session()
    session.mount(f"https://{HOST}/", _FakeAdapter(fake))
    token = fake.issue_tokens()["access_token"]
    return Salesforce(instance_url=f"https://{HOST}", session_id=token, version="62.0", session=session)


def test_query_returns_records_with_their_attributes_and_the_usage_header_parses(sf):
    result = sf.query("SELECT Id, Name, Amount FROM Opportunity ORDER BY SystemModstamp, Id")

    assert result["totalSize"] == 5 and result["done"] is True
    assert result["records"][0]["attributes"]["type"] == "Opportunity"
    assert result["records"][0]["Amount"] == 1000.0
    assert sf.api_usage["api-usage"].used == 1
    assert sf.api_usage["api-usage"].total == 100_000


def test_query_more_follows_next_records_url_and_query_all_collects_every_batch(sf, fake):
    fake.batch_size = 2

    first = sf.query("SELECT Id FROM Account")
    assert (first["done"], len(first["records"])) == (False, 2)
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 2
    everything = sf.query_all("SELECT Id, Name FROM Account ORDER BY SystemModstamp, Id")
    assert everything["totalSize"] == 5 and len(everything["records"]) == 5


def test_query_all_with_deleted_rows_returns_them_flagged(sf, fake):
    gone = next(iter(fake.scenario.records["Account"]))
    fake.scenario.delete(gone)

    live = sf.query_all("SELECT Id FROM Account")
    with_deleted = sf.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)

    assert len(live["records"]) == 4
    assert [r["Id"] for r in with_deleted["records"] if r["IsDeleted"]] == [gone]


def test_salesforce_error_bodies_raise_the_clients_documented_exceptions(sf, fake):
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Nope FROM Account")
    assert malformed.value.content[0]["errorCode"] == "INVALID_FIELD"

    fake.faults.append(Fault(status=403, times=1))
    with pytest.raises(SalesforceRefusedRequest):
        sf.query("SELECT Id FROM Account")

    fake.faults.append(Fault(status=503, times=1))
    with pytest.raises(SalesforceGeneralError):
        sf.query("SELECT Id FROM Account")

    fake.expire_access_tokens()
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.query("SELECT Id FROM Account")
    assert expired.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
