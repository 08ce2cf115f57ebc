"""The business's fiscal year is read from Sage's financial settings (`year_end_date`: the year starts the
month after) and set at the connection's first sync on an organization still on the default January; a
month the organization chose is kept."""

from accounts.models import Organization
from integrations.models import Connection
from integrations.services import connection_sync


def test_the_first_sync_sets_the_fiscal_year_sage_states(acme, sage, sage_fake):
    sage_fake.business.year_end_date = "2027-03-31"
    assert acme.fiscal_year_start_month == 1

    connection_sync(connection=sage)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 4
    assert Connection.objects.for_org(acme).get(pk=sage.pk).cursors["fiscal_year"] == {"start_month": 4}


def test_a_fiscal_year_the_organization_chose_is_kept(acme, sage, sage_fake):
    sage_fake.business.year_end_date = "2027-03-31"
    Organization.objects.filter(pk=acme.pk).update(fiscal_year_start_month=7)
    sage.organization.refresh_from_db()

    connection_sync(connection=sage)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 7


def test_a_year_ending_in_december_leaves_january(acme, sage, sage_fake):
    sage_fake.business.year_end_date = "2026-12-31"

    connection_sync(connection=sage)

    assert Organization.objects.get(pk=acme.pk).fiscal_year_start_month == 1
    assert Connection.objects.for_org(acme).get(pk=sage.pk).cursors["fiscal_year"] == {"start_month": 1}
