"""A first sync brings the whole CRM in, mapped to canonical records."""

from datetime import date
from decimal import Decimal

from integrations.models import Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.services import connection_sync


def test_first_sync_stores_companies_contacts_deals_and_leads(acme, hubspot_connection):
    run = connection_sync(connection=hubspot_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert CrmCompany.objects.for_org(acme).count() == 2
    assert Contact.objects.for_org(acme).count() == 2
    assert Lead.objects.for_org(acme).count() == 2
    assert Deal.objects.for_org(acme).count() == 3
    assert run.counts["deal"]["created"] == 3
    assert run.progress == 100


def test_a_won_deal_is_closed_won_qualified_with_owner_channel_and_company(acme, hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)

    deal = Deal.objects.for_org(acme).get(external_id=str(hubspot_fake.scenario.won.id))
    assert deal.source == "hubspot"
    assert deal.name == "Boréal — Pro"
    assert deal.amount == Decimal("12000.00")
    assert deal.pipeline == "Sales Pipeline"
    assert deal.stage == "Closed won"
    assert (deal.is_closed, deal.is_won, deal.is_qualified) == (True, True, True)
    assert deal.created_on == date(2026, 1, 10)
    assert deal.close_date == date(2026, 3, 31)
    assert deal.owner_name == "Karim Haddad"
    assert deal.source_channel == "referrals"
    assert deal.company.name == "Boréal SAS"


def test_an_open_deal_in_negotiation_is_qualified_and_an_early_one_is_not(acme, hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)

    negotiation = Deal.objects.for_org(acme).get(external_id=str(hubspot_fake.scenario.open.id))
    assert (negotiation.is_closed, negotiation.is_won, negotiation.is_qualified) == (False, False, True)
    assert negotiation.amount == Decimal("8400.50")
    assert negotiation.company.name == "Opale Conseil"
    early = Deal.objects.for_org(acme).get(external_id=str(hubspot_fake.scenario.early.id))
    assert (early.is_closed, early.is_qualified) == (False, False)
    assert early.amount == Decimal(0)  # HubSpot deals may have no amount
    assert early.company is None
    assert early.close_date is None
    assert early.owner_name == ""


def test_contacts_become_leads_converted_when_they_became_customers(acme, hubspot_connection, hubspot_fake):
    connection_sync(connection=hubspot_connection)

    anne = Contact.objects.for_org(acme).get(external_id=str(hubspot_fake.scenario.anne.id))
    assert (anne.email, anne.name, anne.lifecycle_stage) == ("anne@boreal.fr", "Anne Petit", "customer")
    assert anne.company.name == "Boréal SAS"
    assert anne.created_on == date(2026, 1, 6)
    anne_lead = Lead.objects.for_org(acme).get(external_id=str(hubspot_fake.scenario.anne.id))
    assert anne_lead.contact == anne
    assert anne_lead.source_channel == "referrals"
    assert anne_lead.converted_on == date(2026, 3, 31)
    bruno_lead = Lead.objects.for_org(acme).get(external_id=str(hubspot_fake.scenario.bruno.id))
    # Created 2026-05-20 23:30 UTC: already the 21st in Paris, the organization's time zone.
    assert bruno_lead.created_on == date(2026, 5, 21)
    assert bruno_lead.converted_on is None
