"""Zoho pages 200 records at most; `page` reaches the first 2,000 records only, `page_token` the rest."""

from integrations.fakes.zoho import ZohoFake
from integrations.models import CrmCompany, SyncRun
from integrations.services import connection_sync
from tests.integrations.zoho.conftest import at


def test_past_2000_records_the_sync_follows_page_tokens_and_misses_nothing(acme, zoho_connection, zoho_fake):
    zoho_fake.scenario.bulk_accounts(2_450, created=at(2026, 3, 1, 9))

    run = connection_sync(connection=zoho_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert CrmCompany.objects.for_org(acme).count() == 2_452
    pages = [r for r in zoho_fake.log if r.path == "/crm/v8/Accounts"]
    assert [r.query.get("page") for r in pages[:10]] == [[str(n)] for n in range(1, 11)]
    assert all("page_token" in r.query and "page" not in r.query for r in pages[10:])
    assert len(pages) == 13 and all(r.status == 200 for r in pages)
    assert all(r.query["per_page"] == ["200"] for r in pages)


def test_the_fake_refuses_page_numbers_past_2000_and_lists_without_fields(zoho_fake, zoho_connection):
    token = zoho_connection.credentials["access_token"]
    headers = {"authorization": f"Zoho-oauthtoken {token}"}
    api = zoho_fake.hosts["eu"][1]

    status, _, body = zoho_fake.handle("GET", api, "/crm/v8/Accounts", {"fields": ["Account_Name"], "page": ["11"],
                                                                        "per_page": ["200"]}, headers, b"")
    assert (status, b"DISCRETE_PAGINATION_LIMIT_EXCEEDED" in body) == (400, True)
    status, _, body = zoho_fake.handle("GET", api, "/crm/v8/Accounts", {}, headers, b"")
    assert (status, b"REQUIRED_PARAM_MISSING" in body) == (400, True)
    status, _, body = zoho_fake.handle("GET", api, "/crm/v8/Accounts", {"fields": ["Account_Name"],
                                                                        "per_page": ["201"]}, headers, b"")
    assert status == 400


def test_an_empty_module_answers_204_and_the_sync_is_done(acme, zoho_connection, zoho_fake: ZohoFake):
    zoho_fake.scenario.records["Leads"].clear()

    run = connection_sync(connection=zoho_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert [r.status for r in zoho_fake.log if r.path == "/crm/v8/Leads"] == [204]
