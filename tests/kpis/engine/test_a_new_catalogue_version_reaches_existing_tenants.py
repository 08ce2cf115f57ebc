"""`manage.py kpis_catalogue_update` brings KPIs added to the catalogue to existing companies, keeping
what each company edited."""

from io import StringIO

from django.core.management import call_command

from accounts.services import organization_create
from kpis.models import Kpi, KpiValue
from kpis.services import kpi_update
from tests.factories import make_member, make_user


def test_a_kpi_new_in_the_catalogue_reaches_an_existing_company_and_edits_survive(db):
    shop = organization_create(name="Boutique Azur", owner=make_user(), packs=["commerce"])
    ceo = make_member(shop, role="ceo")
    kpi_update(kpi=Kpi.objects.for_org(shop).get(slug="revenue"), by=ceo, formula="revenue_invoices",
               recompute=False)
    # The company was created before these two KPIs were in the catalogue.
    Kpi.objects.for_org(shop).filter(slug__in=["logistics_cost_per_order", "mrr"]).delete()
    out = StringIO()
    call_command("kpis_catalogue_update", stdout=out)
    kpis = {k.slug: k for k in Kpi.objects.for_org(shop)}
    assert kpis["logistics_cost_per_order"].is_active  # in the company's packs
    assert not kpis["mrr"].is_active  # installed, but outside its packs
    assert kpis["revenue"].formula == "revenue_invoices"
    assert KpiValue.objects.for_org(shop).filter(kpi=kpis["logistics_cost_per_order"]).exists()
    assert f"{shop.slug}: 0 metrics and 2 KPIs added" in out.getvalue()


def test_a_second_update_adds_nothing(db):
    shop = organization_create(name="Boutique Azur", owner=make_user(), packs=["commerce"])
    out = StringIO()
    call_command("kpis_catalogue_update", "--org", shop.slug, stdout=out)
    assert f"{shop.slug}: 0 metrics and 0 KPIs added" in out.getvalue()
