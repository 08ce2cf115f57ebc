"""A KPI's month just closed is out of line with its history: outside median ± k·MAD of the last 12 months.

Seasonality-aware: when the same month a year earlier is known, the expected value is that month scaled by
the year's growth (median of the 12 months before / median of the 12 months a year earlier, when two years
exist), so a December that peaks as every December does is normal. The band's width is k times the scaled
MAD (1.4826 · MAD ≈ σ for normal noise) of the last 12 months' deviations from their own expectations.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from statistics import median

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from alerts.rules.base import Context, Finding, Rule, as_text, shown
from kpis.periods import add_months

MAD_TO_SIGMA = 1.4826
MIN_HISTORY = 6  # fewer months than this say nothing about what is normal


def expected_value(series: dict[date, float], month: date) -> float | None:
    """What `month` should be given the history before it (seasonal when a year of history exists)."""
    window = [series[m] for m in (add_months(month, -i) for i in range(1, 13)) if m in series]
    if len(window) < MIN_HISTORY:
        return None
    last_year = series.get(add_months(month, -12))
    if last_year is None:
        return median(window)
    year_before = [series[m] for m in (add_months(month, -i) for i in range(13, 25)) if m in series]
    if len(year_before) >= MIN_HISTORY and median(year_before) != 0:
        return last_year * median(window) / median(year_before)
    return last_year


def is_anomalous(series: dict[date, float], month: date, *, k: float) -> tuple[bool, float, float] | None:
    """(anomalous?, expected, band half-width) for `month`, or None when the history is too short."""
    expected = expected_value(series, month)
    if expected is None or month not in series:
        return None
    deviations = []
    for i in range(1, 13):
        m = add_months(month, -i)
        e = expected_value(series, m)
        if e is not None and m in series:
            deviations.append(series[m] - e)
    if len(deviations) < 3:  # too few past expectations: the raw spread of the last 12 months
        window = [series[m] for m in (add_months(month, -i) for i in range(1, 13)) if m in series]
        centre = median(window)
        deviations = [v - centre for v in window]
    centre = median(deviations)
    mad = median([abs(d - centre) for d in deviations]) * MAD_TO_SIGMA
    # A perfectly regular history has no spread: 5 % of the expected value is the least band we accept.
    half_width = max(k * mad, 0.05 * abs(expected), 1e-9)
    return abs(series[month] - expected - centre) > half_width, expected + centre, half_width


class AnomalyRule(Rule):
    kind = "anomaly"
    label = _l("Unusual value (anomaly)")
    defaults = {"kpis": ["revenue", "late_invoices_amount"], "k": 3}

    def evaluate(self, ctx: Context) -> list[Finding]:
        slugs = {s for s in self.params.get("kpis", []) if s in ctx.kpis}
        if not slugs:
            return []
        month = ctx.last_complete_month.start
        series = ctx.monthly_series(slugs)
        findings = []
        for slug in sorted(slugs):
            values = {m: float(v) for m, v in series[slug].items() if m <= month}
            verdict = is_anomalous(values, month, k=float(self.params.get("k", 3)))
            if verdict is None or not verdict[0]:
                continue
            _anomalous, expected, half_width = verdict
            kpi = ctx.kpis[slug]
            findings.append(Finding(
                subject_key=f"anomaly:{slug}", figure=Decimal(str(values[month])),
                threshold=Decimal(str(round(expected, 6))), kpi_id=kpi.pk,
                params={"kpi": kpi.name, "value": as_text(values[month]), "expected": as_text(expected),
                        "low": as_text(expected - half_width), "high": as_text(expected + half_width),
                        "unit": kpi.unit, "period": month.isoformat()},
                capabilities=ctx.kpi_capabilities(slug), link=ctx.url("kpis:kpi_detail", kpi_slug=slug)))
        return findings

    def message(self, params) -> str:
        return _("%(kpi)s is %(value)s, outside its usual range of %(low)s to %(high)s "
                 "(expected about %(expected)s).") % shown(
            params, params.get("unit", ""), "value", "expected", "low", "high")
