"""Catalogue packs by trade: a shop never sees subscription KPIs; changing packs switches KPIs on and off,
never deleting them and never overwriting what the company edited."""

from accounts.services import organization_create
from kpis.models import Kpi
from kpis.selectors import kpi_catalogue_for
from kpis.services import catalogue_packs_change, kpi_create, kpi_update
from tests.factories import make_member, make_user

SUBSCRIPTION_KPIS = {"mrr", "arr", "arpa", "churn_rate", "nrr", "grr", "ltv", "ltv_cac", "cac_payback"}


def _shop():
    return organization_create(name="Boutique Azur", owner=make_user(), packs=["commerce"])


def _active(org) -> set[str]:
    return set(Kpi.objects.for_org(org).filter(is_active=True).values_list("slug", flat=True))


def test_a_shop_sees_no_subscription_kpis(db):
    shop = _shop()
    ceo = make_member(shop, role="ceo")
    seen = {k.slug for k in kpi_catalogue_for(shop, membership=ceo)}
    assert not SUBSCRIPTION_KPIS & seen
    assert {"revenue", "order_processing_mean", "return_rate"} <= seen


def test_a_saas_company_sees_subscriptions_and_no_returns(db):
    saas = organization_create(name="Nuage", owner=make_user(), packs=["saas"])
    assert SUBSCRIPTION_KPIS <= _active(saas)
    assert "return_rate" not in _active(saas)


SALES_KPIS = {"lead_conversion_rate", "win_rate", "average_deal_size", "sales_cycle", "pipeline_coverage"}


def test_a_maker_with_a_crm_sees_its_pipeline_without_subscription_kpis(db):
    """Win rate and pipeline are not a SaaS matter: a furniture maker on Salesforce has them too."""
    maker = organization_create(name="Atelier", owner=make_user(), packs=["manufacturing", "sales"])
    assert SALES_KPIS <= _active(maker)
    assert not SUBSCRIPTION_KPIS & _active(maker)


def test_adding_a_pack_switches_its_kpis_on(db):
    shop = _shop()
    switched_on, _off = catalogue_packs_change(org=shop, packs=["commerce", "saas"], by=None)
    assert switched_on >= len(SUBSCRIPTION_KPIS)
    assert SUBSCRIPTION_KPIS <= _active(shop)


def test_removing_a_pack_deactivates_its_kpis_without_deleting_or_overwriting_them(db):
    shop = _shop()
    ceo = make_member(shop, role="ceo")
    rate = Kpi.objects.for_org(shop).get(slug="return_rate")
    kpi_update(kpi=rate, by=ceo, formula="units_returned / units_shipped", name="Returns", recompute=False)
    catalogue_packs_change(org=shop, packs=[], by=ceo)
    rate.refresh_from_db()
    assert not rate.is_active
    assert (rate.formula, rate.name) == ("units_returned / units_shipped", "Returns")
    assert "revenue" in _active(shop)  # general stays
    # A KPI in two packs stays on while one of them is chosen.
    catalogue_packs_change(org=shop, packs=["manufacturing"], by=ceo)
    assert "capacity_utilisation" in _active(shop)
    assert "return_rate" not in _active(shop)


def test_changing_packs_leaves_custom_kpis_and_deliberate_deactivations_alone(db):
    shop = _shop()
    ceo = make_member(shop, role="ceo")
    kpi_create(org=shop, by=ceo, slug="basket_x2", name="Basket ×2", formula="revenue * 2", recompute=False)
    Kpi.objects.for_org(shop).filter(slug="throughput").update(is_active=False)
    catalogue_packs_change(org=shop, packs=["commerce", "manufacturing"], by=ceo)
    assert "throughput" not in _active(shop)  # commerce was already chosen: the company's choice stands
    catalogue_packs_change(org=shop, packs=[], by=ceo)
    assert "basket_x2" in _active(shop)


def test_a_pack_change_is_audited(db):
    from accounts.models import AuditEvent

    shop = _shop()
    ceo = make_member(shop, role="ceo")
    catalogue_packs_change(org=shop, packs=["saas"], by=ceo)
    event = AuditEvent.objects.for_org(shop).get(action="organization.packs_changed")
    assert event.data == {"from": ["general", "commerce"], "to": ["general", "saas"]}
