"""A KPI leaves its target band: off track against the target of the month just closed (KpiTarget)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from alerts.rules.base import Context, Finding, Rule, as_text, shown


class TargetBandRule(Rule):
    kind = "target_band"
    label = _l("KPI leaves its target band")
    defaults = {"kpi": ""}  # "" = every KPI with a target for the month

    def evaluate(self, ctx: Context) -> list[Finding]:
        from kpis.models import KpiTarget
        from kpis.selectors import kpi_status

        month = ctx.last_complete_month
        targets = KpiTarget.objects.for_org(ctx.org).filter(grain="month", period_start=month.start)
        if self.params.get("kpi"):
            targets = targets.filter(kpi__slug=self.params["kpi"])
        targets = {t.kpi.slug: t for t in targets.select_related("kpi") if t.kpi.is_active}
        if not targets:
            return []
        series = ctx.monthly_series(set(targets))
        findings = []
        for slug, target in sorted(targets.items()):
            value = series[slug].get(month.start)
            status = kpi_status(target.kpi, value=value, target=target.value,
                                at_risk_threshold=target.at_risk_threshold)
            if status != "off_track":
                continue
            findings.append(Finding(
                subject_key=f"band:{slug}", figure=value, threshold=target.value, kpi_id=target.kpi_id,
                params={"kpi": target.kpi.name, "value": as_text(value), "threshold": as_text(target.value),
                        "unit": target.kpi.unit, "period": month.start.isoformat()},
                capabilities=ctx.kpi_capabilities(slug), link=ctx.url("kpis:kpi_detail", kpi_slug=slug)))
        return findings

    def message(self, params) -> str:
        return _("%(kpi)s is off track: %(value)s against a target of %(threshold)s.") % shown(
            params, params.get("unit", ""), "value", "threshold")
