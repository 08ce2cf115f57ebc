"""Contract: HubSpot's official Python client (`hubspot-api-client`, which nobody here wrote) talks
to our fake over real HTTP, served as `manage.py fake_provider hubspot` serves it, in strict mode
(`client_side_validation=True`: every answer must fill the client's models, required fields and
enums included). Every operation the connector uses is answered and parsed as the client expects;
errors raise the client's own exceptions with JSON bodies; paging, archived lists, batch partial
failures, the search cap, the search rate limit, 429s and token refresh behave as the client and
HubSpot's documentation say.

Shapes: HubSpot's OpenAPI specs (github.com/HubSpot/HubSpot-public-api-spec-collection,
PublicApiSpecs/CRM) as the client's generated models encode them; errors:
https://developers.hubspot.com/docs/api/error-handling (401 for any invalid authentication);
search: https://developers.hubspot.com/docs/api/crm/search (10,000-result cap, limits) and
https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase (4 requests/s per token).
"""

from __future__ import annotations

import json
import time

import hubspot
import pytest
import urllib3
from django.conf import settings
from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.deals.exceptions import ApiException as DealsApiException
from hubspot.crm.objects import (
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
)
from urllib3.util.retry import Retry

from integrations.fakes.hubspot import DEMO_SEARCH_CAP, DEMO_TOKEN, Fault, WsgiApp, default_fake
from integrations.fakes.hubspot_scenario import LAST_MODIFIED, OBJECT_TYPES
from integrations.providers.hubspot.connector import PROPERTIES, HubSpotConnector
from tests.integrations.contract.served import served

CLIENT_ID, CLIENT_SECRET = "fake-client-id", "fake-client-secret"


@pytest.fixture
def fake():
    """The served scenario (Nuage Analytics' account) with the served limits, fresh for each test."""
    return default_fake(seed=42)


@pytest.fixture
def base_url(fake):
    with served(WsgiApp(fake)) as url:
        yield url


def strict_client(base_url: str, token: str = DEMO_TOKEN, **config) -> hubspot.Client:
    return hubspot.Client.create(access_token=token, host=base_url, client_side_validation=True, **config)


@pytest.fixture
def client(base_url):
    return strict_client(base_url)


def api(client: hubspot.Client, type_: str):
    return getattr(client.crm, type_)


def oldest(fake, type_: str, *, archived: bool = False):
    pool = fake.scenario.archived(type_) if archived else fake.scenario.live(type_)
    return min(pool, key=lambda o: o.id)


def search_request(type_: str, *, after: int = 0, limit: int | None = None) -> PublicObjectSearchRequest:
    """The connector's first incremental query for `type_` (since the epoch, up to now), as client models."""
    prop = LAST_MODIFIED[type_]
    groups = HubSpotConnector._window_groups(prop, 0, set(), int(time.time() * 1000), False)
    return PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name=f["propertyName"], operator=f["operator"],
                                                   value=f.get("value"), values=f.get("values"))
                                            for f in group]) for group in groups],
        sorts=[{"propertyName": prop, "direction": "ASCENDING"}],  # the connector's form (the spec also has "prop")
        properties=PROPERTIES[type_], limit=limit or settings.HUBSPOT_SEARCH_PAGE_SIZE,
        after=str(after) if after else None)


def client_error(kind: str, status: int, call, *args, **kwargs) -> dict:
    """Call, expecting the client's exception `kind` (each API package has its own classes, hence the
    name) for `status`; returns the body, JSON as HubSpot documents errors (status, message,
    correlationId, category)."""
    with pytest.raises(Exception) as caught:
        call(*args, **kwargs)
    assert type(caught.value).__name__ == kind, caught.value
    assert caught.value.status == status
    return body_of(caught.value)


def body_of(exc) -> dict:
    body = json.loads(exc.body)
    assert body["status"] == "error"
    assert body["message"] and body["correlationId"]
    return body


# ---- strict mode is really on ---------------------------------------------------------------------


def test_the_client_validates_every_answer_against_its_models(client):
    assert client.crm.contacts.basic_api.api_client.configuration.client_side_validation is True


def test_strict_mode_refuses_an_answer_missing_a_required_field(fake, client, monkeypatch):
    """The layer catches drift: an answer without one field the spec requires fails to parse."""
    original = fake._access_token_info

    def without_user_id(value):
        status, headers, raw = original(value)
        body = json.loads(raw)
        body.pop("user_id", None)
        return status, headers, json.dumps(body).encode()

    monkeypatch.setattr(fake, "_access_token_info", without_user_id)
    tokens = client.oauth.tokens_api.create(grant_type="authorization_code", code=fake.issue_code(redirect_uri="http://x/cb"),
                                            redirect_uri="http://x/cb", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with pytest.raises(ValueError, match="user_id"):
        client.oauth.access_tokens_api.get(tokens.access_token)


# ---- account, owners, pipelines -------------------------------------------------------------------


def test_account_details_are_read_with_the_clients_generic_request(fake, client, base_url):
    response = client.api_request({"method": "GET", "path": "/account-info/v3/details", "base_url": base_url})

    assert response.status_code == 200
    assert response.json()["portalId"] == fake.scenario.hub_id


def test_owners_are_listed_at_the_clients_trailing_slash_path_page_by_page(fake, client):
    owners, after = [], None
    while True:
        page = client.crm.owners.owners_api.get_page(limit=2, after=after, archived=False)
        owners += page.results
        if page.paging is None:
            break
        after = page.paging.next.after

    assert [o.id for o in owners] == [str(o.id) for o in fake.scenario.owners if not o.archived]
    assert all(o.type == "PERSON" and o.first_name for o in owners)
    assert client.crm.owners.owners_api.get_page(archived=True).results == []


def test_an_owner_is_read_by_id(fake, client):
    owner = fake.scenario.owners[0]

    assert client.crm.owners.owners_api.get_by_id(owner.id).email == owner.email


def test_deal_pipelines_parse_with_their_stages_and_probabilities(client):
    pipelines = client.crm.pipelines.pipelines_api.get_all("deals").results

    assert [p.id for p in pipelines] == ["default", "expansion"]
    won = next(s for s in pipelines[0].stages if s.id == "closedwon")
    assert won.metadata == {"isClosed": "true", "probability": "1.0"}


# ---- objects: list, archived list, read by id, batch read, search ---------------------------------


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_a_list_pages_to_the_end_with_the_connectors_properties_sent_repeated(fake, client, type_):
    seen, after = [], None
    while True:
        page = api(client, type_).basic_api.get_page(limit=100, after=after, properties=PROPERTIES[type_])
        seen += page.results
        if page.paging is None:
            break
        after = page.paging.next.after

    assert len(seen) == len(fake.scenario.live(type_))
    assert len({o.id for o in seen}) == len(seen)
    # The client sends properties=a&properties=b: every one must come back, not only the first.
    assert all(set(PROPERTIES[type_]) <= set(o.properties) for o in seen)
    assert all(isinstance(v, str | None) for o in seen for v in o.properties.values())


def test_comma_joined_properties_are_read_like_repeated_ones(fake, client):
    contact = oldest(fake, "contacts")

    repeated = api(client, "contacts").basic_api.get_by_id(str(contact.id), properties=["email", "lifecyclestage"])
    joined = api(client, "contacts").basic_api.get_by_id(str(contact.id), properties=["email,lifecyclestage"])

    assert repeated.properties == joined.properties
    assert {"email", "lifecyclestage"} <= set(repeated.properties)


@pytest.mark.parametrize("object_type", ["contacts", "contact", "0-1", "CONTACTS"])
def test_the_generic_objects_api_names_a_type_as_hubspot_accepts_it(fake, client, object_type):
    page = client.crm.objects.basic_api.get_page(object_type, limit=5, properties=["email"])

    assert [o.id for o in page.results] == [str(o.id) for o in sorted(fake.scenario.live("contacts"),
                                                                      key=lambda o: o.id)[:5]]


@pytest.mark.parametrize("type_", ["contacts", "deals"])
def test_archived_records_are_listed_with_their_archive_time(fake, client, type_):
    page = api(client, type_).basic_api.get_page(limit=100, archived=True, properties=[LAST_MODIFIED[type_]])

    assert {o.id for o in page.results} == {str(o.id) for o in fake.scenario.archived(type_)} != set()
    assert all(o.archived is True and o.archived_at is not None for o in page.results)


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_a_record_is_read_by_id(fake, client, type_):
    record = oldest(fake, type_)

    got = api(client, type_).basic_api.get_by_id(str(record.id), properties=PROPERTIES[type_])

    assert got.id == str(record.id)
    assert got.archived is False
    assert set(PROPERTIES[type_]) <= set(got.properties)


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_a_missing_id_is_the_clients_not_found_with_a_json_body(client, type_):
    body = client_error("NotFoundException", 404, api(client, type_).basic_api.get_by_id, "999999999")

    assert body["category"] == "OBJECT_NOT_FOUND"


@pytest.mark.parametrize("type_", ["contacts", "deals"])
def test_an_archived_record_is_read_by_id_only_when_asking_for_archived_ones(fake, client, type_):
    record = oldest(fake, type_, archived=True)

    client_error("NotFoundException", 404, api(client, type_).basic_api.get_by_id, str(record.id))
    got = api(client, type_).basic_api.get_by_id(str(record.id), archived=True)

    assert got.archived is True and got.archived_at is not None


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_a_batch_read_of_existing_ids_is_complete(fake, client, type_):
    ids = [str(o.id) for o in sorted(fake.scenario.live(type_), key=lambda o: o.id)[:3]]

    batch = api(client, type_).batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=i) for i in ids], properties=PROPERTIES[type_], properties_with_history=[]))

    assert batch.status == "COMPLETE"
    assert sorted(o.id for o in batch.results) == ids
    assert not hasattr(batch, "errors") or not batch.errors


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_a_batch_read_with_missing_ids_is_a_207_naming_them(fake, client, type_):
    present = str(oldest(fake, type_).id)

    batch = api(client, type_).batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=present), SimplePublicObjectId(id="1"), SimplePublicObjectId(id="2")],
        properties=PROPERTIES[type_], properties_with_history=[]))

    assert [o.id for o in batch.results] == [present]
    assert batch.num_errors == 1
    assert batch.errors[0].category == "OBJECT_NOT_FOUND"
    assert batch.errors[0].context == {"ids": ["1", "2"]}


def test_a_batch_read_of_more_than_100_ids_is_refused(fake, client):
    body = client_error("ApiException", 400, api(client, "contacts").batch_api.read, BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=str(i)) for i in range(101)], properties=[], properties_with_history=[]))

    assert body["category"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_the_connectors_search_is_answered_with_a_total_and_a_cursor(fake, client, type_):
    found = api(client, type_).search_api.do_search(search_request(type_))

    live = fake.scenario.live(type_)
    assert found.total == len(live)
    assert len(found.results) == min(len(live), settings.HUBSPOT_SEARCH_PAGE_SIZE)
    if len(live) > settings.HUBSPOT_SEARCH_PAGE_SIZE:
        assert found.paging.next.after == str(settings.HUBSPOT_SEARCH_PAGE_SIZE)
    else:
        assert found.paging is None
    stamps = [o.properties[LAST_MODIFIED[type_]] for o in found.results]
    assert all(set(PROPERTIES[type_]) <= set(o.properties) for o in found.results)
    assert stamps == sorted(stamps)  # ISO 8601 UTC strings sort like the times they are


def _as_request(groups: list[list[dict]], sort: str, type_: str) -> PublicObjectSearchRequest:
    return PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name=f["propertyName"], operator=f["operator"],
                                                   value=f.get("value"), values=f.get("values")) for f in group])
                       for group in groups],
        sorts=[{"propertyName": sort, "direction": "ASCENDING"}], properties=PROPERTIES[type_], limit=100)


def test_the_connectors_next_query_from_the_last_value_seen_is_answered(fake, client):
    """After a window, the connector asks for later values, or the same value minus the ids already read."""
    prop = LAST_MODIFIED["contacts"]
    first = api(client, "contacts").search_api.do_search(search_request("contacts", limit=100))
    last = max(_epoch_ms(o.properties[prop]) for o in first.results)
    seen = {o.id for o in first.results if _epoch_ms(o.properties[prop]) == last}
    groups = HubSpotConnector._window_groups(prop, last, seen, int(time.time() * 1000), False)

    following = api(client, "contacts").search_api.do_search(_as_request(groups, prop, "contacts"))

    assert {o.id for o in following.results}.isdisjoint({o.id for o in first.results})
    assert following.total == len(fake.scenario.live("contacts")) - len(first.results)


def test_the_connectors_walk_of_one_instant_by_id_is_answered(fake, client):
    contact = oldest(fake, "contacts")
    instant = _epoch_ms(contact.props[LAST_MODIFIED["contacts"]])
    filters = [[{"propertyName": LAST_MODIFIED["contacts"], "operator": "EQ", "value": str(instant)},
                {"propertyName": "hs_object_id", "operator": "GT", "value": "0"}]]

    found = api(client, "contacts").search_api.do_search(_as_request(filters, "hs_object_id", "contacts"))

    assert str(contact.id) in [o.id for o in found.results]


def _epoch_ms(value: str) -> int:
    from integrations.providers.hubspot.mapping import parse_datetime, to_epoch_ms

    return to_epoch_ms(parse_datetime(value))


def test_search_stops_at_the_served_cap_with_a_400(fake, client):
    assert len(fake.scenario.live("contacts")) > DEMO_SEARCH_CAP  # the served account outgrows its cap
    contacts, after = [], 0
    while after < DEMO_SEARCH_CAP:
        page = api(client, "contacts").search_api.do_search(search_request("contacts", after=after, limit=200))
        contacts += page.results
        after = int(page.paging.next.after)  # a next page is promised up to the cap, as HubSpot does

    body = client_error("ApiException", 400, api(client, "contacts").search_api.do_search,
                        search_request("contacts", after=after, limit=200))

    assert len(contacts) == DEMO_SEARCH_CAP
    assert page.total == len(fake.scenario.live("contacts"))
    assert body["category"] == "VALIDATION_ERROR"


def test_search_answers_at_most_four_requests_a_second_then_a_429(client):
    statuses = []
    while 429 not in statuses and len(statuses) < 40:
        try:
            api(client, "deals").search_api.do_search(search_request("deals", limit=1))
            statuses.append(200)
        except DealsApiException as exc:
            statuses.append(exc.status)
            body = body_of(exc)
            assert body["errorType"] == "RATE_LIMIT"
            assert body["policyName"] == "SECONDLY"

    assert statuses[:4] == [200] * 4
    assert statuses[-1] == 429
    time.sleep(1.05)
    assert api(client, "deals").search_api.do_search(search_request("deals", limit=1)).total > 0


def test_the_clients_documented_retry_rides_out_the_search_limit(base_url):
    client = strict_client(base_url, retry=Retry(total=6, backoff_factor=0.3, status_forcelist=(429,),
                                                 allowed_methods=None))

    totals = [api(client, "companies").search_api.do_search(search_request("companies", limit=1)).total
              for _ in range(7)]

    assert len(set(totals)) == 1


# ---- associations -----------------------------------------------------------------------------


def test_deal_companies_are_read_in_a_v4_batch_207_for_deals_without_one(fake, client):
    deals = sorted(fake.scenario.live("deals"), key=lambda o: o.id)
    with_company = next(d for d in deals if d.company_id)
    without = next(d for d in deals if not d.company_id)

    batch = client.crm.associations.v4.batch_api.get_page("deals", "companies", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[PublicFetchAssociationsBatchRequest(id=str(with_company.id)),
                PublicFetchAssociationsBatchRequest(id=str(without.id))]))

    assert [(r._from.id, r.to[0].to_object_id) for r in batch.results] == [(str(with_company.id),
                                                                           str(with_company.company_id))]
    assert any(a.type_id == 5 for a in batch.results[0].to[0].association_types)
    assert batch.num_errors == 1
    assert batch.errors[0].context == {"fromObjectId": [str(without.id)]}


# ---- authentication, scopes, OAuth ------------------------------------------------------------


@pytest.mark.parametrize("token", ["pat-eu1-00000000-0000-0000-0000-000000000000", "pat eu1 with spaces", "x"])
def test_an_unknown_or_malformed_token_is_the_clients_unauthorized_as_hubspot_documents(base_url, token):
    client = strict_client(base_url, token=token)

    body = client_error("UnauthorizedException", 401, client.crm.owners.owners_api.get_page, limit=1)

    assert body["category"] == "INVALID_AUTHENTICATION"


def test_a_missing_scope_is_the_clients_forbidden_naming_the_scope(fake, base_url):
    token = fake.add_private_token(scopes=["crm.objects.contacts.read"])

    body = client_error("ForbiddenException", 403, api(strict_client(base_url, token=token), "deals").basic_api.get_page,
                        limit=1)

    assert body["category"] == "MISSING_SCOPES"
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.deals.read"]


def test_the_oauth_code_is_exchanged_refreshed_and_inspected(fake, client, base_url):
    code = fake.issue_code(redirect_uri="http://testserver/cb")
    first = client.oauth.tokens_api.create(grant_type="authorization_code", code=code, redirect_uri="http://testserver/cb",
                                           client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert first.token_type == "bearer" and first.expires_in > 0

    fake.expire_access_tokens()
    expired = api(strict_client(base_url, token=first.access_token), "contacts")
    assert client_error("UnauthorizedException", 401, expired.basic_api.get_page, limit=1)["category"] == \
        "EXPIRED_AUTHENTICATION"

    second = client.oauth.tokens_api.create(grant_type="refresh_token", refresh_token=first.refresh_token,
                                            client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    info = client.oauth.access_tokens_api.get(second.access_token)

    assert second.access_token != first.access_token
    assert info.hub_id == fake.scenario.hub_id and "crm.objects.deals.read" in info.scopes
    assert api(strict_client(base_url, token=second.access_token), "contacts").basic_api.get_page(limit=1).results


def test_an_unknown_refresh_token_is_a_400_with_a_json_body(client):
    with pytest.raises(Exception) as caught:
        client.oauth.tokens_api.create(grant_type="refresh_token", refresh_token="rt-unknown",
                                       client_id=CLIENT_ID, client_secret=CLIENT_SECRET)

    assert type(caught.value).__name__ == "ApiException" and caught.value.status == 400
    assert json.loads(caught.value.body)["status"] == "BAD_REFRESH_TOKEN"


# ---- faults: 429 bursts and 5xx, as the client meets them -------------------------------------


def test_a_429_without_retry_after_is_the_clients_exception_with_the_rate_limit_body(fake, client):
    fake.faults.append(Fault(status=429, times=1, path="/crm/v3/objects/contacts"))

    body = client_error("ApiException", 429, api(client, "contacts").basic_api.get_page, limit=1)

    assert body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"


def test_a_429_with_retry_after_is_waited_out_by_the_client_itself(fake, client):
    fake.faults.append(Fault(status=429, times=1, retry_after=1, path="/crm/v3/objects/contacts"))

    started = time.monotonic()
    page = api(client, "contacts").basic_api.get_page(limit=1)

    assert page.results and time.monotonic() - started >= 0.9
    assert [r.status for r in fake.requests_to("/crm/v3/objects/contacts")] == [429, 200]


def test_a_server_error_is_the_clients_service_exception(fake, client):
    fake.faults.append(Fault(status=502, times=1, path="/crm/v3/objects/contacts"))

    assert client_error("ServiceException", 502, api(client, "contacts").basic_api.get_page, limit=1)["category"]


def test_a_spent_daily_budget_is_a_429_of_policy_daily(fake, client):
    fake.limits.daily = 0

    body = client_error("ApiException", 429, api(client, "contacts").basic_api.get_page, limit=1)

    assert body["policyName"] == "DAILY"


# ---- the command itself ---------------------------------------------------------------------------


def test_manage_py_fake_provider_hubspot_answers_the_client():
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[3]
    server = subprocess.Popen([sys.executable, "manage.py", "fake_provider", "hubspot", "--port", str(port),
                               "--fault", "search_cap=10000", "--fault", "search_per_second=0"], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    client = strict_client(f"http://127.0.0.1:{port}", retry=Retry(total=0))
    try:
        deadline = time.monotonic() + 120  # Django starts slowly on a loaded machine
        while True:
            try:
                owners = client.crm.owners.owners_api.get_page(limit=100)  # GET /crm/v3/owners/
                break
            except urllib3.exceptions.HTTPError:  # not listening yet
                assert server.poll() is None, server.stdout.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the fake did not start"
                time.sleep(0.25)
        contacts = [api(client, "contacts").search_api.do_search(search_request("contacts", limit=10))
                    for _ in range(6)]  # search_per_second=0: no limit
        deep = api(client, "contacts").search_api.do_search(search_request("contacts", after=400, limit=10))
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert [o.first_name for o in owners.results][:2] == ["Karim", "Sophie"]
    assert len({c.total for c in contacts}) == 1 and contacts[0].total > 400
    assert deep.results  # search_cap=10000: HubSpot's own cap
