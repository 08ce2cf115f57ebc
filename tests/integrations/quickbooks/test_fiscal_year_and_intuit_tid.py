"""The company's fiscal year start is read from CompanyInfo (`FiscalYearStartMonth`) and set on an
organization still on the default January at the connection's first sync. A refused call logs Intuit's
`intuit_tid` (never the token) and the run's error quotes it for Intuit's support."""

import logging

from accounts.models import Organization
from integrations.models import Connection, SyncRun
from integrations.services import connection_sync


def test_the_first_sync_sets_the_fiscal_year_quickbooks_states(acme, qbo, qbo_fake):
    assert acme.fiscal_year_start_month == 1

    connection_sync(connection=qbo)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 4  # "April" in CompanyInfo
    assert Connection.objects.for_org(acme).get(pk=qbo.pk).cursors["fiscal_year"] == {"start_month": 4}


def test_a_fiscal_year_the_organization_chose_is_kept(acme, qbo, qbo_fake):
    Organization.objects.filter(pk=acme.pk).update(fiscal_year_start_month=7)
    qbo.organization.refresh_from_db()

    connection_sync(connection=qbo)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 7


def test_a_later_sync_does_not_undo_what_the_cfo_set_since(acme, qbo, qbo_fake):
    connection_sync(connection=qbo)
    Organization.objects.filter(pk=acme.pk).update(fiscal_year_start_month=1)  # the CFO went back to January
    qbo.refresh_from_db()

    connection_sync(connection=qbo)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 1


def test_a_refused_call_logs_and_shows_its_intuit_tid_never_the_token(acme, qbo, qbo_fake, caplog):
    qbo_fake.forbidden_next = 1

    with caplog.at_level(logging.WARNING, logger="integrations.quickbooks"):
        run = connection_sync(connection=qbo)

    refused = next(r for r in qbo_fake.log if r.status == 403)
    assert run.state == SyncRun.State.FAILED
    assert refused.tid and refused.tid in caplog.text
    assert refused.tid in run.errors[-1]
    assert refused.tid in Connection.objects.for_org(acme).get(pk=qbo.pk).last_error
    assert "qbo-at-acme" not in caplog.text and "qbo-at-acme" not in run.errors[-1]
