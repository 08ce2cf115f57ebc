"""The organisation's fiscal year is read from Xero's Organisation (`FinancialYearEndMonth`: the year
starts the month after) and set at the connection's first sync on an organization still on the default
January; a month the organization chose is kept."""

from accounts.models import Organization
from integrations.models import Connection
from integrations.services import connection_sync


def test_the_first_sync_sets_the_fiscal_year_xero_states(acme, xero, xero_fake):
    assert xero_fake.tenant.financial_year_end_month == 3  # the demo organisation's year ends 31 March
    assert acme.fiscal_year_start_month == 1

    connection_sync(connection=xero)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 4
    assert Connection.objects.for_org(acme).get(pk=xero.pk).cursors["fiscal_year"] == {"start_month": 4}


def test_a_year_ending_in_september_starts_in_october(acme, xero, xero_fake):
    xero_fake.tenant.financial_year_end_month = 9

    connection_sync(connection=xero)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 10


def test_a_fiscal_year_the_organization_chose_is_kept(acme, xero, xero_fake):
    Organization.objects.filter(pk=acme.pk).update(fiscal_year_start_month=7)
    xero.organization.refresh_from_db()

    connection_sync(connection=xero)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 7
