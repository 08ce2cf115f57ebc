"""Every rule kind, by key: a plain dict of dotted paths imported on first use (like integrations' PROVIDERS)."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from alerts.rules.base import Rule

RULES: dict[str, str] = {
    "kpi_threshold": "alerts.rules.kpi_threshold.KpiThresholdRule",
    "target_band": "alerts.rules.target_band.TargetBandRule",
    "forecast_miss": "alerts.rules.forecast_miss.ForecastMissRule",
    "budget_overrun": "alerts.rules.budget_overrun.BudgetOverrunRule",
    "late_payment": "alerts.rules.late_payment.LatePaymentRule",
    "anomaly": "alerts.rules.anomaly.AnomalyRule",
    "period_change": "alerts.rules.period_change.PeriodChangeRule",
    "sync_failing": "alerts.rules.sync_failing.SyncFailingRule",
    "data_stale": "alerts.rules.data_stale.DataStaleRule",
    "check_in_overdue": "alerts.rules.check_in_overdue.CheckInOverdueRule",
}


@cache
def rule_class(kind: str) -> type[Rule]:
    return import_string(RULES[kind])


def rule_for(kind: str, parameters: dict | None = None) -> Rule:
    return rule_class(kind)(parameters)


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, rule_class(kind).label) for kind in RULES]
