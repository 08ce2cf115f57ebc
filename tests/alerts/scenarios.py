"""One constructed case per rule kind: `arrange(org)` makes the rule fire and returns a `fix` that brings
the figure back. Shared by the "fires once, resolves by itself" specification and the pages' tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Callable

from integrations.models import SyncRun
from kpis.models import KpiForecast, KpiTarget
from tests.alerts.helpers import (LAST_MONTH, NOW, TODAY, make_customer, make_invoice, make_kpi, make_rule,
                                  set_month, set_months)

Q4 = LAST_MONTH  # the running fiscal quarter starts in October


@dataclass
class BudgetLine:  # the shape of budgets.selectors.BudgetVariance
    line_label: str
    account_prefix: str
    period_start: object
    budget: Decimal
    actual: Decimal
    variance: Decimal
    variance_pct: Decimal
    is_cost: bool


def kpi_threshold(org, monkeypatch) -> Callable[[], None]:
    kpi = make_kpi(org, "net_cash")
    make_rule(org, "kpi_threshold", kpi="net_cash", op="below", value="0", period="current")
    set_month(org, kpi, TODAY.replace(day=1), "-5000")
    return lambda: set_month(org, kpi, TODAY.replace(day=1), "1000")


def target_band(org, monkeypatch):
    kpi = make_kpi(org, "revenue")
    KpiTarget.objects.create(organization=org, kpi=kpi, grain="month", period_start=LAST_MONTH, value=100000)
    make_rule(org, "target_band")
    set_month(org, kpi, LAST_MONTH, 70000)
    return lambda: set_month(org, kpi, LAST_MONTH, 99000)


def forecast_miss(org, monkeypatch):
    kpi = make_kpi(org, "revenue")
    KpiTarget.objects.create(organization=org, kpi=kpi, grain="quarter", period_start=Q4, value=500000)
    make_rule(org, "forecast_miss", grain="quarter", pct=10)
    forecast = KpiForecast.objects.create(
        organization=org, kpi=kpi, grain="quarter", period_start=Q4, period_end=Q4.replace(month=12, day=31),
        value=Decimal(400000), method=KpiForecast.Method.RUN_RATE, as_of=TODAY, computed_at=NOW)

    def fix():
        forecast.value = Decimal(480000)
        forecast.save(update_fields=["value"])
    return fix


def budget_overrun(org, monkeypatch):
    lines = {"actual": Decimal(13000)}

    def budget_variances(organization, *, period_start, period_end):
        assert organization == org and period_start == LAST_MONTH
        actual = lines["actual"]
        return [BudgetLine("Marketing", "623", period_start, Decimal(10000), actual, actual - 10000,
                           (actual - 10000) / 100, True),
                BudgetLine("Sales", "70", period_start, Decimal(50000), Decimal(90000), Decimal(40000),
                           Decimal(80), False)]  # income above budget is no overrun
    monkeypatch.setattr("alerts.rules.budget_overrun._budget_variances", lambda: budget_variances)
    make_kpi(org, "budget_variance", visibility="kpis.view_costs")
    make_rule(org, "budget_overrun", pct=10)
    return lambda: lines.update(actual=Decimal(10500))


def late_payment(org, monkeypatch):
    make_kpi(org, "late_invoices_amount")
    make_rule(org, "late_payment", days=30)
    invoice = make_invoice(org, make_customer(org, "Grossiste Dupont"), number="F-2026-101", amount="4800",
                           due=TODAY - timedelta(days=75))

    def fix():
        invoice.paid_date, invoice.remaining_amount_incl_tax = TODAY, Decimal(0)
        invoice.save(update_fields=["paid_date", "remaining_amount_incl_tax"])
    return fix


def anomaly(org, monkeypatch):
    kpi = make_kpi(org, "revenue")
    make_rule(org, "anomaly", kpis=["revenue"], k=3)
    set_months(org, kpi, [100, 104, 98, 101, 99, 103, 97, 102, 100, 98, 101, 99, 100, 103, 300])
    return lambda: set_month(org, kpi, LAST_MONTH, 101)


def period_change(org, monkeypatch):
    kpi = make_kpi(org, "revenue")
    make_rule(org, "period_change", kpi="revenue", pct=30, direction="down")
    set_months(org, kpi, [100000, 60000])
    return lambda: set_month(org, kpi, LAST_MONTH, 95000)


def _connection(org, **fields):
    from tests.integrations.conftest import make_connection

    connection = make_connection(org, **fields)
    type(connection).objects.filter(pk=connection.pk).update(created_at=NOW - timedelta(days=30))
    return connection


def sync_failing(org, monkeypatch):
    connection = _connection(org, last_success_at=NOW - timedelta(hours=40))
    make_rule(org, "sync_failing", hours=24)
    for hours in (30, 2):
        SyncRun.objects.create(organization=org, connection=connection, state=SyncRun.State.FAILED,
                               finished_at=NOW - timedelta(hours=hours), errors=["HTTP 503"])
    return lambda: SyncRun.objects.create(organization=org, connection=connection, state=SyncRun.State.DONE,
                                          finished_at=NOW - timedelta(minutes=10))


def data_stale(org, monkeypatch):
    connection = _connection(org, last_success_at=NOW - timedelta(days=5))
    make_rule(org, "data_stale", days=3)
    return lambda: type(connection).objects.filter(pk=connection.pk).update(last_success_at=NOW - timedelta(hours=1))


def check_in_overdue(org, monkeypatch):
    from tests.objectives.helpers import make_check_in, make_objective

    objective = make_objective(org, title="Invoice 500 K€ in Q4")
    objective.check_in_every_days = 7
    objective.save(update_fields=["check_in_every_days"])
    type(objective).objects.filter(pk=objective.pk).update(created_at=NOW - timedelta(days=45))  # set in October
    make_rule(org, "check_in_overdue", grace_days=3)
    return lambda: make_check_in(objective, on=TODAY)


SCENARIOS = {f.__name__: f for f in (kpi_threshold, target_band, forecast_miss, budget_overrun, late_payment,
                                     anomaly, period_change, sync_failing, data_stale, check_in_overdue)}
