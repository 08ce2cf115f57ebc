"""A KPI with no data source shows one plain, translated line saying what would feed it, never the engine's
reasons; the catalogue lists those KPIs apart, and the home tiles choose KPIs that have data."""

from datetime import date

from accounts.services import organization_create
from kpis.services import kpi_values_recompute
from tests.conftest import url
from tests.factories import make_member, make_user
from tests.kpis.engine.records import ledger


def _shop_with_a_ledger():
    org = organization_create(name="Boutique Azur", slug="azur", owner=make_user(), packs=["commerce", "saas"])
    for month in range(1, 11):
        ledger(org, "707000", date(2026, month, 5), credit=10000)
        ledger(org, "607000", date(2026, month, 6), debit=6000)
    kpi_values_recompute(org=org, today=date(2026, 11, 15))
    return org


def _catalogue(client, member, language="en") -> str:
    client.force_login(member.user)
    return client.get(url("kpis:catalogue", org_slug="azur") + "?month=2026-10",
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _waiting(html) -> str:
    return html[html.index('data-testid="kpis-waiting"'):]


def test_ltv_without_subscriptions_says_so_in_plain_words(client, db):
    org = _shop_with_a_ledger()
    html = _catalogue(client, make_member(org, role="ceo"))
    waiting = _waiting(html)
    row = waiting[waiting.index('data-kpi="ltv"'):]
    row = row[:row.index("</tr>")]
    assert "Needs subscription data: connect Pennylane billing or import subscriptions" in row
    assert "has no value" not in html and "mrr_end" not in html.replace("formula", "")


def test_the_line_is_in_french_for_a_french_reader(client, db):
    org = _shop_with_a_ledger()
    waiting = _waiting(_catalogue(client, make_member(org, role="ceo"), "fr"))
    assert "Données d’abonnements nécessaires" in waiting
    assert "En attente de données" in waiting


def test_kpis_with_data_stay_in_their_category_and_those_without_are_listed_apart(client, db):
    org = _shop_with_a_ledger()
    html = _catalogue(client, make_member(org, role="ceo"))
    waiting = _waiting(html)
    assert 'data-kpi="commercial_margin"' in html[:html.index('data-testid="kpis-waiting"')]
    assert 'data-kpi="commercial_margin"' not in waiting
    assert 'data-kpi="return_rate"' in waiting and "Needs order data" in waiting


def test_home_tiles_are_kpis_that_have_data(client, db):
    org = _shop_with_a_ledger()
    cro = make_member(org, role="cro")  # MRR, pipeline, conversion… none has data here
    client.force_login(cro.user)
    html = client.get(url("accounts:org_home", org_slug="azur")).content.decode()
    tiles = [chunk.split('"', 1)[0] for chunk in html.split('data-widget="kpi_tile" data-kpi="')[1:]]
    assert tiles[0] == "revenue"
    assert "mrr" not in tiles and 'class="no-value"' not in html


def test_with_no_data_at_all_the_home_says_what_would_feed_the_kpis(client, db):
    org = organization_create(name="Nouvelle", slug="azur", owner=make_user(), packs=["saas"])
    ceo = make_member(org, role="ceo")
    client.force_login(ceo.user)
    html = client.get(url("accounts:org_home", org_slug="azur")).content.decode()
    assert 'data-testid="dashboard-waiting"' in html
    assert "Needs the accounting ledger: connect Pennylane" in html
    assert 'data-widget="kpi_tile"' not in html


def test_a_maker_without_production_records_is_told_to_import_its_production_by_line(client, db):
    org = organization_create(name="Menuiserie Azur", slug="azur", owner=make_user(), packs=["manufacturing"])
    for month in range(1, 11):
        ledger(org, "601000", date(2026, month, 5), debit=8000)
    kpi_values_recompute(org=org, today=date(2026, 11, 15))
    coo = make_member(org, role="coo")
    english = "Needs production by line (units and cost per month): import it or push it with an API key"
    french = "Production par ligne nécessaire (unités et coût par mois)\u202f: importez-la ou envoyez-la avec une clé d’API"
    for language, line in (("en", english), ("fr", french)):
        waiting = _waiting(_catalogue(client, coo, language))
        row = waiting[waiting.index('data-kpi="line_cost_per_unit"'):]
        assert line in row[:row.index("</tr>")]
