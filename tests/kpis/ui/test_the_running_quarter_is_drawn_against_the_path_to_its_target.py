"""A flow KPI with a quarter target: the quarter so far, cumulated, against the straight line to the target."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from kpis.models import KpiValue
from tests.conftest import url
from tests.kpis.ui.kpi_data import set_target, set_value


def _quarter_value(kpi, value):
    KpiValue.objects.create(organization=kpi.organization, kpi=kpi, grain="quarter", period_start=date(2026, 10, 1),
                            period_end=date(2026, 12, 31), value=Decimal(value), computed_at=timezone.now())


def _page(client, member) -> str:
    client.force_login(member.user)
    return client.get(url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue")).content.decode()


def test_half_the_target_at_half_the_quarter_is_on_the_path(client, alice, acme_kpis):
    revenue = acme_kpis["revenue"]
    set_value(revenue, date(2026, 10, 1), "100000")
    set_value(revenue, date(2026, 11, 1), "50000")  # November to date (today is 15 November)
    _quarter_value(revenue, "150000")
    set_target(revenue, date(2026, 10, 1), "300000", grain="quarter")
    html = _page(client, alice)
    section = html[html.index('data-testid="cumulative"'):]
    section = section[:section.index("</section>")]
    assert "Q4 2026 so far, against the path to its target" in section
    # 46 of Q4's 92 days have elapsed (31 in October + 15): the straight line is at 300,000 × 46/92 = 150,000
    assert ("Q4 2026: €150,000 so far, 50% of the €300,000 target, with 50% of the period elapsed; "
            "the straight line to the target is at €150,000 today.") in section
    assert '"points": [["2026-10-01", 0.0], ["2026-10-31", 100000.0], ["2026-11-15", 150000.0]]' in section
    assert '"path": [["2026-10-01", 0.0], ["2026-12-31", 300000.0]]' in section


def test_a_stock_whose_months_do_not_add_up_gets_no_cumulative_chart(client, alice, acme_kpis):
    revenue = acme_kpis["revenue"]  # standing in for a balance such as net cash
    set_value(revenue, date(2026, 10, 1), "100000")
    set_value(revenue, date(2026, 11, 1), "120000")
    _quarter_value(revenue, "120000")  # the quarter's value is its last balance, not a sum
    set_target(revenue, date(2026, 10, 1), "150000", grain="quarter")
    assert 'data-testid="cumulative"' not in _page(client, alice)
