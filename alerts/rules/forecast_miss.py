"""The forecast at the end of the running period misses its target by more than x % (KpiForecast)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from alerts.rules.base import Context, Finding, Rule, as_text, shown, shown_number
from kpis.periods import period_containing

NO_FIGURE = ("too_early", "no_forecast")


class ForecastMissRule(Rule):
    kind = "forecast_miss"
    label = _l("Forecast misses its target")
    defaults = {"grain": "quarter", "pct": 10, "kpi": ""}

    def evaluate(self, ctx: Context) -> list[Finding]:
        from kpis.models import Kpi, KpiForecast, KpiTarget

        period = period_containing(ctx.today, self.params.get("grain", "quarter"), ctx.org.fiscal_year_start_month)
        targets = KpiTarget.objects.for_org(ctx.org).filter(grain=period.grain, period_start=period.start)
        if self.params.get("kpi"):
            targets = targets.filter(kpi__slug=self.params["kpi"])
        targets = {t.kpi_id: t for t in targets.select_related("kpi") if t.kpi.is_active}
        if not targets:
            return []
        forecasts = KpiForecast.objects.for_org(ctx.org).filter(
            kpi_id__in=list(targets), grain=period.grain, period_start=period.start, value__isnull=False,
        ).exclude(method__in=NO_FIGURE)
        pct = Decimal(str(self.params.get("pct", 10)))
        findings = []
        for f in forecasts:
            target = targets[f.kpi_id]
            kpi = target.kpi
            if target.value == 0:
                continue
            gap = (target.value - f.value) if kpi.direction == Kpi.Direction.HIGHER else (f.value - target.value)
            miss_pct = gap / abs(target.value) * 100
            if miss_pct <= pct:
                continue
            findings.append(Finding(
                subject_key=f"forecast:{kpi.slug}:{period.grain}:{period.start.isoformat()}", figure=f.value,
                threshold=target.value, kpi_id=kpi.pk,
                params={"kpi": kpi.name, "forecast": as_text(f.value), "target": as_text(target.value),
                        "miss_pct": as_text(miss_pct, 1), "unit": kpi.unit, "period": period.start.isoformat(),
                        "grain": period.grain},
                capabilities=ctx.kpi_capabilities(kpi.slug), link=ctx.url("kpis:kpi_detail", kpi_slug=kpi.slug)))
        return findings

    def message(self, params) -> str:
        return _("%(kpi)s is forecast at %(forecast)s at the end of the period, %(miss_pct)s %% short of "
                 "its target of %(target)s.") % {
            **shown(params, params.get("unit", ""), "forecast", "target"), "miss_pct": shown_number(params["miss_pct"])}
