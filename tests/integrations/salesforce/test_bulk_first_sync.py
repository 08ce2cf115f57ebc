"""A first sync of a large object reads it through one Bulk API 2.0 query job (CSV pages by locator)
instead of REST pages: the same records, resumable at the locator, a failed job reported on the run."""

import pytest

from integrations.fakes.salesforce import Fault, SimulatedCrash
from integrations.fakes.salesforce_scenario import SalesforceScenario
from integrations.models import Connection, Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.providers.salesforce import SalesforceConnector
from integrations.providers.salesforce.bulk import as_rest_row
from integrations.services import SyncRetry, connection_sync
from tests.factories import make_org
from tests.integrations.salesforce.conftest import connection_to

JOBS = "/jobs/query"


@pytest.fixture(autouse=True)
def poll_pauses(monkeypatch):
    """The pauses between polls of a job, recorded instead of slept."""
    pauses: list[float] = []
    monkeypatch.setattr("integrations.providers.salesforce.bulk.time.sleep", pauses.append)
    return pauses


def _records(connection):
    """What a first sync hands over, without the provider's raw payload (JSON there, CSV text here)."""
    connector = SalesforceConnector(connection)
    try:
        return sorted(((r.model, r.external_id, r.fields, r.source_updated_at, r.deleted, r.reject_reason)
                       for page in connector.fetch(cursors={}) for r in page.records))
    finally:
        connector.close()


def _stored(org):
    return {m.__name__: sorted(m.objects.for_org(org).values_list("external_id", "is_deleted"))
            for m in (CrmCompany, Contact, Deal, Lead)}


def _job_creations(fake):
    return [r for r in fake.log if r.method == "POST" and r.path.endswith(JOBS)]


def _results_requests(fake):
    return [r for r in fake.log if r.path.endswith("/results")]


def test_csv_values_get_the_types_the_rest_api_gives_them():
    row = as_rest_row({"Id": "006A", "Amount": "8400.5", "IsWon": "false", "IsClosed": "true", "CloseDate": "",
                       "Probability": "90", "CreatedDate": "2026-02-03T09:00:00.000Z"})

    assert row == {"Id": "006A", "Amount": 8400.5, "IsWon": False, "IsClosed": True, "CloseDate": None,
                   "Probability": 90.0, "CreatedDate": "2026-02-03T09:00:00.000Z"}


def test_a_first_sync_above_the_threshold_reads_through_a_job_and_yields_exactly_the_rest_records(
        acme, salesforce_fake, settings):
    settings.SALESFORCE_BULK_THRESHOLD = 10**9
    through_rest = _records(connection_to(acme, salesforce_fake))
    assert _job_creations(salesforce_fake) == []
    salesforce_fake.log.clear()

    settings.SALESFORCE_BULK_THRESHOLD = 1  # every object of Acme's org holds two rows or more
    through_bulk = _records(connection_to(make_org(), salesforce_fake))

    assert len(_job_creations(salesforce_fake)) == 4  # Account, Contact, Lead, Opportunity
    assert [r.soql for r in salesforce_fake.queries("Opportunity")] == ["SELECT COUNT() FROM Opportunity"]
    assert len(through_bulk) == len(through_rest) == 9
    assert through_bulk == through_rest


def test_below_the_threshold_the_first_sync_pages_the_rest_api(acme, salesforce_connection, salesforce_fake,
                                                                settings):
    settings.SALESFORCE_BULK_THRESHOLD = 2  # Acme's org holds 2 accounts, 2 contacts, 2 leads, 3 opportunities

    run = connection_sync(connection=salesforce_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert [job["object"] for job in salesforce_fake.bulk_jobs] == ["Opportunity"]  # 3 rows: above 2
    assert salesforce_fake.queries("Account", endpoint="query")[-1].soql.startswith("SELECT Id, Name")
    assert Deal.objects.for_org(acme).count() == 3
    assert CrmCompany.objects.for_org(acme).count() == 2


def test_incremental_syncs_stay_on_rest(acme, salesforce_connection, salesforce_fake, settings):
    settings.SALESFORCE_BULK_THRESHOLD = 1
    connection_sync(connection=salesforce_connection)
    assert len(_job_creations(salesforce_fake)) == 4
    salesforce_fake.log.clear()

    run = connection_sync(connection=Connection.objects.get(pk=salesforce_connection.pk))

    assert run.state == SyncRun.State.DONE, run.errors
    assert _job_creations(salesforce_fake) == []
    assert len(salesforce_fake.queries("Opportunity", endpoint="queryAll")) == 1


def test_the_job_is_polled_until_complete_with_growing_pauses(acme, salesforce_connection, salesforce_fake,
                                                               settings, poll_pauses):
    settings.SALESFORCE_BULK_THRESHOLD = 1
    salesforce_fake.bulk_polls_to_complete = 4

    run = connection_sync(connection=salesforce_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    polls = [r for r in salesforce_fake.log if r.method == "GET" and "/jobs/query/" in r.path
             and not r.path.endswith("/results")]
    assert len(polls) == 4 * 4  # three "not yet" answers, then JobComplete, for each object
    assert poll_pauses == [1.0, 2.0, 4.0] * 4


@pytest.mark.parametrize("skip", [1, 3, 5])
def test_a_sync_killed_mid_results_resumes_at_the_locator_without_duplicates(acme, salesforce_fake, settings, skip):
    settings.SALESFORCE_BULK_THRESHOLD = 50
    salesforce_fake.scenario = SalesforceScenario.boisfin(seed=7)  # 100 leads, 60 opportunities
    salesforce_fake.bulk_page_size = 15
    connection = connection_to(acme, salesforce_fake)
    salesforce_fake.faults.append(Fault(path="/services/data/v62.0/jobs/query/", crash=True, skip=skip + 1))
    with pytest.raises(SimulatedCrash):
        connection_sync(connection=connection)
    interrupted = SyncRun.objects.for_org(acme).get()
    [stored] = [c for c in Connection.objects.get(pk=connection.pk).cursors.values() if "bulk_job" in c]
    assert "since" not in stored
    jobs_before = len(_job_creations(salesforce_fake))
    salesforce_fake.log.clear()

    rerun = connection_sync(connection=Connection.objects.get(pk=connection.pk), run=interrupted)

    assert rerun.state == SyncRun.State.DONE, rerun.errors
    resumed = _results_requests(salesforce_fake)[0]
    assert stored["bulk_job"] in resumed.path  # the same job, not a new one
    assert resumed.query.get("locator", [""]) == [stored["locator"]]  # the first page not stored yet
    big = [o for o in ("Account", "Contact", "Lead", "Opportunity")
           if sum(not r.get("IsDeleted") for r in salesforce_fake.scenario.records[o].values()) > 50]
    assert len(_job_creations(salesforce_fake)) + jobs_before == len(big)  # one job per large object, ever
    clean_org = make_org()
    connection_sync(connection=connection_to(clean_org, salesforce_fake))
    assert _stored(acme) == _stored(clean_org)
    assert len(_stored(acme)["Lead"]) == 100


def test_a_failed_job_is_reported_on_the_run_and_the_next_run_asks_for_a_new_job(acme, salesforce_connection,
                                                                                  salesforce_fake, settings):
    settings.SALESFORCE_BULK_THRESHOLD = 1
    salesforce_fake.bulk_fail = "InvalidBatch : Failed to process query: QUERY_TIMEOUT"

    with pytest.raises(SyncRetry):
        connection_sync(connection=salesforce_connection)

    run = SyncRun.objects.for_org(acme).get()
    assert "bulk query job" in run.errors[-1] and "Failed" in run.errors[-1] and "QUERY_TIMEOUT" in run.errors[-1]
    assert Connection.objects.get(pk=salesforce_connection.pk).cursors.get("Account") == {}

    salesforce_fake.bulk_fail = ""
    rerun = connection_sync(connection=Connection.objects.get(pk=salesforce_connection.pk), run=run)

    assert rerun.state == SyncRun.State.DONE, rerun.errors
    assert len(_job_creations(salesforce_fake)) == 1 + 4
    assert Deal.objects.for_org(acme).count() == 3
