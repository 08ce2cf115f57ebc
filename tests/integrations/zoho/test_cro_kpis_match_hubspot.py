"""The CRO's KPIs computed from Zoho CRM equal those computed from the same deals and leads in HubSpot:
the two connectors write the same canonical records (stage → won/closed/qualified, dates, channels)."""

from datetime import date
from decimal import Decimal

import pytest

from integrations.fakes.hubspot import HubSpotFake, Limits
from integrations.fakes.hubspot_scenario import HubSpotScenario
from integrations.http import mount_transport
from integrations.models import Connection, SyncRun
from integrations.services import connection_sync
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute
from tests.factories import make_org
from tests.integrations.zoho.conftest import at

TODAY = date(2026, 6, 15)
CRO_KPIS = {"win_rate", "win_rate_6m", "average_deal_size", "sales_cycle", "lead_conversion_rate"}
# (HubSpot stage, Zoho stage) with the same meaning: same closed/won, same side of the qualified threshold
STAGES = {"early": ("appointmentscheduled", "Qualification"), "demo": ("presentationscheduled", "Value Proposition"),
          "negotiation": ("contractsent", "Negotiation/Review"), "won": ("closedwon", "Closed Won"),
          "lost": ("closedlost", "Closed Lost")}
DEALS = [  # name, stage, amount, created, closing, channel
    ("A", "won", 12000, at(2026, 1, 10, 9), date(2026, 3, 2), "Referrals"),
    ("B", "lost", 8000, at(2026, 1, 20, 9), date(2026, 3, 15), "Organic search"),
    ("C", "won", 3000, at(2026, 2, 1, 9), date(2026, 3, 28), "Referrals"),
    ("D", "lost", 5000, at(2025, 11, 3, 9), date(2026, 1, 12), "Paid search"),
    ("E", "won", 7000, at(2025, 10, 1, 9), date(2025, 12, 20), "Referrals"),
    ("F", "negotiation", 20000, at(2026, 4, 1, 9), date(2026, 7, 30), "Organic search"),
    ("G", "demo", 4000, at(2026, 5, 2, 9), date(2026, 8, 30), "Paid search"),
    ("H", "early", 1500, at(2026, 6, 1, 9), date(2026, 9, 30), "Referrals"),
]
LEADS = [  # created, converted, channel
    (at(2026, 1, 5, 9), at(2026, 2, 10, 9), "Referrals"), (at(2026, 1, 8, 9), None, "Referrals"),
    (at(2026, 2, 3, 9), None, "Paid search"), (at(2026, 3, 4, 9), at(2026, 3, 30, 9), "Paid search"),
    (at(2026, 3, 9, 9), None, "Organic search"),
]


def _hubspot_crm() -> HubSpotScenario:
    s = HubSpotScenario(hub_id=7002)
    s.add_standard_pipelines()
    rep = s.add_owner("Karim", "Haddad", "karim@acme.test")
    for name, stage, amount, created, closing, channel in DEALS:
        s.add_deal(name=name, amount=str(amount), stage=STAGES[stage][0], created=created, closedate=closing,
                   owner=rep, source=channel.upper().replace(" ", "_"), modified=created)
    for i, (created, converted, channel) in enumerate(LEADS):
        s.add_contact(email=f"lead{i}@example.test", lifecycle="customer" if converted else "lead",
                      source=channel.upper().replace(" ", "_"), created=created, modified=converted or created,
                      customer_on=converted)
    return s


def _fill_zoho(s) -> None:
    s.records = {m: {} for m in s.records}
    rep = s.add_user("Karim Haddad", "karim@acme.test")
    for name, stage, amount, created, closing, channel in DEALS:
        s.add_deal(name=name, amount=amount, stage=STAGES[stage][1], created=created, closing=closing, owner=rep,
                   source=channel, modified=created)
    for i, (created, converted, channel) in enumerate(LEADS):
        s.add_lead(first="Lead", last=str(i), email=f"lead{i}@example.test", source=channel, converted_at=converted,
                   created=created, modified=converted or created)


def _values(org) -> list[tuple]:
    kpi_values_recompute(org=org, kpi_slugs=CRO_KPIS, include_dependents=False, today=TODAY)
    return sorted(KpiValue.objects.for_org(org).filter(kpi__slug__in=CRO_KPIS).values_list(
        "kpi__slug", "grain", "period_start", "dimension_value", "value"))


@pytest.fixture
def hubspot_org(settings):
    settings.HUBSPOT_SEARCH_INDEX_LAG_SECONDS = 0
    settings.HUBSPOT_RATE_LIMIT = (10_000, 10)
    settings.HUBSPOT_SEARCH_RATE_LIMIT = (10_000, 1)
    fake = HubSpotFake(scenario=_hubspot_crm(), limits=Limits(ten_secondly=None))
    token = fake.add_private_token()
    mount_transport(settings.HUBSPOT_API_BASE_URL, fake.transport())
    org = make_org()
    connection = Connection.objects.create(organization=org, provider="hubspot", credentials={"token": token},
                                           provider_account_id="7002")
    try:
        assert connection_sync(connection=connection).state == SyncRun.State.DONE
    finally:
        mount_transport(settings.HUBSPOT_API_BASE_URL, None)
    return org


def test_win_rate_deal_size_cycle_and_conversion_from_zoho_equal_hubspots(acme, zoho_connection, zoho_fake,
                                                                          hubspot_org):
    _fill_zoho(zoho_fake.scenario)
    assert connection_sync(connection=zoho_connection).state == SyncRun.State.DONE
    catalogue_install(acme)
    catalogue_install(hubspot_org)

    from_zoho, from_hubspot = _values(acme), _values(hubspot_org)

    assert from_zoho == from_hubspot
    march = {(slug, dim): value for slug, grain, start, dim, value in from_zoho
             if grain == "month" and start == date(2026, 3, 1)}
    assert round(march[("win_rate", "")], 2) == Decimal("66.67")  # March: A and C won, B lost (D lost in January)
