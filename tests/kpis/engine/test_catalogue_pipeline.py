"""Win rate, deal size, sales cycle, pipeline coverage, leads and channels, the arithmetic written out."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis.models import Kpi
from kpis.services import kpi_target_set
from tests.kpis.engine.records import deal, lead, spend

MAR = date(2026, 3, 15)


@pytest.fixture
def crm(catalogue):
    org = catalogue
    deal(
        org, amount=1000, created=date(2026, 1, 10), closed=date(2026, 3, 1), won=True, channel="ads"
    )  # 50 days
    deal(
        org, amount=3000, created=date(2026, 2, 1), closed=date(2026, 3, 11), won=True, channel="seo"
    )  # 38 days
    deal(org, amount=2000, created=date(2026, 1, 5), closed=date(2026, 3, 20), lost=True)
    deal(org, amount=500, created=date(2026, 2, 5), closed=date(2026, 3, 25), lost=True)
    deal(org, amount=4000, created=date(2026, 2, 1), closed=date(2026, 3, 30), qualified=True)  # open
    deal(org, amount=9000, created=date(2026, 2, 1), closed=date(2026, 3, 30))  # open, not qualified
    deal(org, amount=1000, created=date(2026, 2, 1), closed=date(2026, 4, 15), qualified=True)  # next month
    deal(org, amount=700, created=date(2025, 11, 1), closed=date(2025, 12, 10), won=True)
    lead(org, created=date(2026, 3, 2), channel="ads", converted=date(2026, 3, 28))
    lead(org, created=date(2026, 3, 3), channel="ads")
    lead(org, created=date(2026, 3, 4), channel="seo")
    lead(org, created=date(2026, 3, 5))
    spend(org, day=date(2026, 3, 3), channel="ads", amount=400)
    spend(org, day=date(2026, 3, 4), channel="seo", amount=200)
    return org


def test_win_rate_deal_size_and_cycle(crm, value_of):
    assert value_of(crm, "win_rate", MAR).value == D("50")  # 2 won ÷ (2 won + 2 lost)
    assert value_of(crm, "average_deal_size", MAR).value == D("2000")  # (1,000 + 3,000) ÷ 2
    assert value_of(crm, "sales_cycle", MAR).value == D("44")  # (50 + 38) ÷ 2 days
    # trailing six months (Oct–Mar) adds December's win: 3 ÷ 5 = 60 %; required coverage 1 ÷ 60 % = 1.666667
    assert value_of(crm, "win_rate_6m", MAR).value == D("60")
    assert value_of(crm, "required_coverage", MAR).value == D("1.666667")


def test_pipeline_coverage_needs_a_revenue_target(crm, value_of):
    v = value_of(crm, "pipeline_coverage", MAR)
    assert v.value is None
    assert "no target set for revenue" in v.no_value_reason


def test_pipeline_coverage_against_the_revenue_target(crm, value_of):
    revenue = Kpi.objects.for_org(crm).get(slug="revenue")
    kpi_target_set(kpi=revenue, by=None, grain="month", period_start=date(2026, 3, 1), value=D("10000"))
    # open qualified pipeline closing in March 4,000 ÷ (10,000 target − 4,000 won) = 0.666667
    assert value_of(crm, "pipeline_coverage", MAR).value == D("0.666667")


def test_lead_conversion_and_cost_per_lead_by_channel(crm, value_of):
    assert value_of(crm, "lead_conversion_rate", MAR).value == D("25")  # 1 converted ÷ 4 created
    assert value_of(crm, "cost_per_lead", MAR).value == D("150")  # 600 ÷ 4
    assert value_of(crm, "cost_per_lead", MAR, dim="ads").value == D("200")  # 400 ÷ 2
    assert value_of(crm, "cost_per_lead", MAR, dim="seo").value == D("200")  # 200 ÷ 1


def test_marketing_roi_by_channel(crm, value_of):
    # ads: (1,000 − 400) ÷ 400 = 150 %; seo: (3,000 − 200) ÷ 200 = 1,400 %; all: (4,000 − 600) ÷ 600
    assert value_of(crm, "marketing_roi", MAR, dim="ads").value == D("150")
    assert value_of(crm, "marketing_roi", MAR, dim="seo").value == D("1400")
    assert value_of(crm, "marketing_roi", MAR).value == D("566.666667")
