"""A KPI's month just closed moved by more than x % on the month before."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from alerts.rules.base import Context, Finding, Rule, as_text, shown, shown_number
from kpis.periods import add_months


class PeriodChangeRule(Rule):
    kind = "period_change"
    label = _l("Change on the previous period")
    defaults = {"kpi": "revenue", "pct": 30, "direction": "down"}  # direction: down, up or any

    def evaluate(self, ctx: Context) -> list[Finding]:
        slug = self.params.get("kpi", "")
        kpi = ctx.kpis.get(slug)
        if kpi is None:
            return []
        month = ctx.last_complete_month.start
        series = ctx.monthly_series({slug})[slug]
        value, before = series.get(month), series.get(add_months(month, -1))
        if value is None or before is None or before == 0:
            return []
        change = (value - before) / abs(before) * 100
        pct = Decimal(str(self.params.get("pct", 30)))
        direction = self.params.get("direction", "down")
        if not ((direction in ("down", "any") and change < -pct) or (direction in ("up", "any") and change > pct)):
            return []
        return [Finding(
            subject_key=f"change:{slug}", figure=value, threshold=before, kpi_id=kpi.pk,
            params={"kpi": kpi.name, "value": as_text(value), "previous": as_text(before),
                    "change_pct": as_text(change, 1), "unit": kpi.unit, "period": month.isoformat()},
            capabilities=ctx.kpi_capabilities(slug), link=ctx.url("kpis:kpi_detail", kpi_slug=slug))]

    def message(self, params) -> str:
        return _("%(kpi)s changed by %(change_pct)s %% on the previous month: %(value)s against "
                 "%(previous)s.") % {
            **shown(params, params.get("unit", ""), "value", "previous"), "change_pct": shown_number(params["change_pct"])}
