"""A first sync brings the whole Zoho CRM in, mapped to the same canonical records as HubSpot's."""

from datetime import date
from decimal import Decimal

from integrations.models import Contact, CrmCompany, Deal, Lead, SyncRun
from integrations.services import connection_sync


def test_first_sync_stores_accounts_contacts_leads_and_deals(acme, zoho_connection):
    run = connection_sync(connection=zoho_connection)

    assert run.state == SyncRun.State.DONE, run.errors
    assert CrmCompany.objects.for_org(acme).count() == 2
    assert Contact.objects.for_org(acme).count() == 2
    assert Lead.objects.for_org(acme).count() == 2
    assert Deal.objects.for_org(acme).count() == 3
    assert run.progress == 100


def test_every_list_names_its_fields_and_sorts_by_id(zoho_connection, zoho_fake):
    connection_sync(connection=zoho_connection)

    lists = [r for r in zoho_fake.log if r.path in ("/crm/v8/Accounts", "/crm/v8/Contacts", "/crm/v8/Leads",
                                                     "/crm/v8/Deals")]
    assert len(lists) == 4
    assert all(r.query["fields"][0] and r.query["sort_by"] == ["id"] for r in lists)
    assert all(r.headers["authorization"].startswith("Zoho-oauthtoken ") for r in lists)
    assert [r.query.get("converted") for r in lists if r.path == "/crm/v8/Leads"] == [["both"]]


def test_a_won_deal_is_won_from_its_stage_forecast_type_with_owner_channel_and_company(acme, zoho_connection,
                                                                                       zoho_fake):
    connection_sync(connection=zoho_connection)

    deal = Deal.objects.for_org(acme).get(external_id=zoho_fake.scenario.won.id)
    assert deal.source == "zoho"
    assert (deal.name, deal.pipeline, deal.stage) == ("Boréal — Pro", "Standard", "Closed Won")
    assert deal.amount == Decimal("12000.00")
    assert (deal.is_closed, deal.is_won, deal.is_qualified) == (True, True, True)
    assert (deal.created_on, deal.close_date) == (date(2026, 1, 10), date(2026, 3, 31))
    assert deal.owner_name == "Karim Haddad"
    assert deal.source_channel == "partner"
    assert deal.company.name == "Boréal SAS"


def test_a_stage_renamed_to_sound_won_is_not_won_unless_its_forecast_type_says_so(acme, zoho_connection, zoho_fake):
    zoho_fake.scenario.stages.append(("Won? Waiting for PO", 95, "Open"))
    zoho_fake.scenario.update(zoho_fake.scenario.early, Stage="Won? Waiting for PO")

    connection_sync(connection=zoho_connection)

    deal = Deal.objects.for_org(acme).get(external_id=zoho_fake.scenario.early.id)
    assert (deal.stage, deal.is_closed, deal.is_won, deal.is_qualified) == ("Won? Waiting for PO", False, False, True)


def test_a_deal_in_francs_is_converted_to_the_home_currency_and_its_departed_owner_named(acme, zoho_connection,
                                                                                          zoho_fake):
    connection_sync(connection=zoho_connection)

    deal = Deal.objects.for_org(acme).get(external_id=zoho_fake.scenario.open.id)
    assert (deal.amount, deal.currency) == (Decimal("10000.00"), "EUR")  # 9,400 CHF at 0.94 CHF per euro
    assert (deal.is_closed, deal.is_won, deal.is_qualified) == (False, False, True)
    assert deal.owner_name == "Sophie Martin"  # an inactive user, listed with type=AllUsers
    early = Deal.objects.for_org(acme).get(external_id=zoho_fake.scenario.early.id)
    assert (early.amount, early.is_qualified, early.company, early.close_date) == (Decimal(0), False, None, None)


def test_leads_are_converted_on_the_day_zoho_converted_them(acme, zoho_connection, zoho_fake):
    connection_sync(connection=zoho_connection)

    claire = Lead.objects.for_org(acme).get(external_id=zoho_fake.scenario.claire.id)
    assert (claire.created_on, claire.converted_on, claire.source_channel) == (date(2026, 1, 3), date(2026, 3, 2),
                                                                               "trade_show")
    bruno = Lead.objects.for_org(acme).get(external_id=zoho_fake.scenario.bruno.id)
    assert (bruno.created_on, bruno.converted_on) == (date(2026, 5, 20), None)  # 23:30 in Paris
    anne = Contact.objects.for_org(acme).get(external_id=zoho_fake.scenario.anne.id)
    assert (anne.name, anne.email, anne.company.name) == ("Anne Petit", "anne@boreal.fr", "Boréal SAS")
    boreal = CrmCompany.objects.for_org(acme).get(external_id=zoho_fake.scenario.boreal.id)
    assert (boreal.domain, boreal.segment) == ("boreal.fr", "Retail")
