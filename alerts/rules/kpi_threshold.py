"""A KPI's monthly value crosses a fixed threshold (net cash below 0, DSO above 60 days…)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from alerts.rules.base import Context, Finding, Rule, as_text, shown
from kpis.periods import period_containing


class KpiThresholdRule(Rule):
    kind = "kpi_threshold"
    label = _l("KPI crosses a threshold")
    # period: "last_complete" (the month just closed) or "current" (the month to date, for balances)
    defaults = {"kpi": "net_cash", "op": "below", "value": "0", "period": "current"}
    default_severity = "critical"

    def evaluate(self, ctx: Context) -> list[Finding]:
        slug = self.params["kpi"]
        kpi = ctx.kpis.get(slug)
        if kpi is None:
            return []
        month = (period_containing(ctx.today, "month", ctx.org.fiscal_year_start_month)
                 if self.params.get("period") == "current" else ctx.last_complete_month)
        value = ctx.monthly_series({slug})[slug].get(month.start)
        if value is None:
            return []
        threshold = Decimal(str(self.params["value"]))
        crossed = value < threshold if self.params.get("op") == "below" else value > threshold
        if not crossed:
            return []
        return [Finding(
            subject_key=f"kpi:{slug}", figure=value, threshold=threshold, kpi_id=kpi.pk,
            params={"kpi": kpi.name, "op": self.params.get("op"), "value": as_text(value),
                    "threshold": as_text(threshold), "unit": kpi.unit, "period": month.start.isoformat()},
            capabilities=ctx.kpi_capabilities(slug), link=ctx.url("kpis:kpi_detail", kpi_slug=slug))]

    def message(self, params) -> str:
        if params.get("op") == "below":
            return _("%(kpi)s is %(value)s, below the threshold of %(threshold)s.") % _shown(params)
        return _("%(kpi)s is %(value)s, above the threshold of %(threshold)s.") % _shown(params)


def _shown(params) -> dict:
    return shown(params, params.get("unit", ""), "value", "threshold")
