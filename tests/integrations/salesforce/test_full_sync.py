"""A first sync brings the whole org in, mapped to the same canonical records as HubSpot's."""

from datetime import date
from decimal import Decimal

from integrations.models import Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.services import connection_sync


def test_first_sync_stores_accounts_contacts_leads_and_opportunities(acme, salesforce_connection):
    run = connection_sync(connection=salesforce_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert CrmCompany.objects.for_org(acme).count() == 2
    assert Contact.objects.for_org(acme).count() == 2
    assert Lead.objects.for_org(acme).count() == 2
    assert Deal.objects.for_org(acme).count() == 3
    assert run.counts["deal"]["created"] == 3
    assert run.progress == 100


def test_a_won_opportunity_is_closed_won_qualified_with_owner_channel_and_account(acme, salesforce_connection,
                                                                                  salesforce_fake):
    connection_sync(connection=salesforce_connection)

    deal = Deal.objects.for_org(acme).get(external_id=salesforce_fake.scenario.won)
    assert deal.source == "salesforce"
    assert deal.name == "Boréal — Pro"
    assert deal.amount == Decimal("12000.00")
    assert deal.stage == "Closed Won"
    assert (deal.is_closed, deal.is_won, deal.is_qualified) == (True, True, True)
    assert deal.created_on == date(2026, 1, 10)
    assert deal.close_date == date(2026, 3, 31)
    assert deal.owner_name == "Karim Haddad"
    assert deal.source_channel == "partner_referral"
    assert deal.company.name == "Boréal SAS"
    assert deal.company.domain == "boreal.fr"


def test_won_and_qualified_come_from_stage_metadata_not_from_the_stage_name(acme, salesforce_connection,
                                                                            salesforce_fake):
    stages = salesforce_fake.scenario.stages
    for stage in stages:  # an org that renamed its stages: "Signed" wins, "Closed Won" is an open step now
        if stage["ApiName"] == "Closed Won":
            stage.update(IsWon=False, IsClosed=False, DefaultProbability=20.0)
    stages.append({"Id": "01J5g000009999AAA", "ApiName": "Signed", "MasterLabel": "Signed", "IsActive": True,
                   "IsClosed": True, "IsWon": True, "DefaultProbability": 100.0, "SortOrder": 99})
    salesforce_fake.scenario.edit(salesforce_fake.scenario.open, StageName="Signed")

    connection_sync(connection=salesforce_connection)

    renamed = Deal.objects.for_org(acme).get(external_id=salesforce_fake.scenario.won)
    signed = Deal.objects.for_org(acme).get(external_id=salesforce_fake.scenario.open)
    assert (renamed.is_closed, renamed.is_won, renamed.is_qualified) == (False, False, False)
    assert (signed.is_closed, signed.is_won, signed.stage) == (True, True, "Signed")


def test_open_and_early_opportunities_and_the_converted_lead(acme, salesforce_connection, salesforce_fake):
    connection_sync(connection=salesforce_connection)
    s = salesforce_fake.scenario

    negotiation = Deal.objects.for_org(acme).get(external_id=s.open)
    assert (negotiation.is_closed, negotiation.is_won, negotiation.is_qualified) == (False, False, True)
    assert negotiation.amount == Decimal("8400.50")
    early = Deal.objects.for_org(acme).get(external_id=s.early)
    assert (early.is_closed, early.is_qualified, early.amount, early.company) == (False, False, Decimal(0), None)
    converted = Lead.objects.for_org(acme).get(external_id=s.anne_lead)
    assert converted.converted_on == date(2026, 3, 31)
    assert converted.contact.email == "anne@boreal.fr"
    assert Lead.objects.for_org(acme).get(external_id=s.bruno_lead).converted_on is None
    assert Contact.objects.for_org(acme).get(external_id=s.anne).company.name == "Boréal SAS"
