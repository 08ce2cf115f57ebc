"""The KPI panel of the home page: a few tiles per role, and the receivables ageing for the CFO."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Membership
from kpis import selectors
from kpis.models import Kpi
from kpis.presenters.catalogue import kpi_rows
from kpis.presenters.common import as_float, chart_format, format_kpi_value, month_label
from kpis.presenters.feeds import waiting_for_data

# Per role, the KPIs worth a glance, best first (PRODUCT.md, "What each person sees"). The panel shows
# the first ones that have a value, skipping those the role may not see.
HOME_KPIS: dict[str, list[str]] = {
    "ceo": ["revenue", "gross_margin_pct", "ebe", "net_cash", "runway_months", "mrr", "net_result"],
    "cfo": ["gross_margin_pct", "ebe", "net_cash", "dso", "late_invoices_amount", "budget_variance",
            "cash_burn", "revenue"],
    "coo": ["order_processing_mean", "on_time_delivery", "return_rate", "capacity_utilisation", "throughput",
            "cost_per_unit", "delivery_delay", "return_cost"],
    "cro": ["mrr", "pipeline_coverage", "lead_conversion_rate", "win_rate", "cac", "ltv_cac", "churn_rate",
            "nrr", "revenue"],
    "viewer": ["revenue", "mrr", "on_time_delivery", "return_rate", "net_cash"],
}
AGEING = [("late_0_30", _l("0–30 days")), ("late_31_60", _l("31–60 days")), ("late_61_90", _l("61–90 days")),
          ("late_over_90", _l("over 90 days"))]
MIN_TILES, MAX_TILES = 3, 6


def home_panel_for(membership: Membership, *, today: date | None = None) -> dict | None:
    """3–6 KPI tiles for the member's role, chosen among the KPIs that have a value (the role's own first,
    then others it may see), and the receivables ageing for whoever sees the CFO's view. With no value at
    all yet, the panel says what would feed the role's KPIs instead of showing empty tiles."""
    slugs = HOME_KPIS.get(membership.role)
    if not slugs:
        return None
    org = membership.organization
    wants_ageing = membership.role == "cfo"
    ageing_slugs = [s for s, _label in AGEING] if wants_ageing else []
    visible_slugs = selectors.kpi_visibility_for(org).kpi_slugs_for(membership)
    visible = [k for k in Kpi.objects.for_org(org).filter(is_active=True).order_by("category", "sort_order", "slug")
               if k.slug in visible_slugs]
    found = {k.slug: k for k in visible}
    preferred = [found[s] for s in slugs if s in found]
    ageing_kpis = [found[s] for s in ageing_slugs if s in found]
    if not visible:
        return None
    current = selectors.current_period(org, today=today)
    month = current.previous()
    others = [k for k in visible if k.slug not in slugs and k.slug not in ageing_slugs and not k.dimension_label]
    rows, _table = kpi_rows(org, kpis=preferred + others + ageing_kpis, month=month, with_formula=False,
                            forecast_month=current, today=today)
    by_slug = {r.kpi.slug: r for r in rows}
    tiles = [by_slug[k.slug] for k in preferred if by_slug[k.slug].value is not None][:MAX_TILES]
    if len(tiles) < MIN_TILES:  # the role's own KPIs lack data: other figures it may see fill the panel
        tiles += [by_slug[k.slug] for k in others if by_slug[k.slug].value is not None][:MIN_TILES - len(tiles)]
    panel = {"month_label": month_label(month), "current_label": month_label(current), "tiles": tiles,
             "ageing": None, "waiting": []}
    if not tiles:
        feeds = waiting_for_data(org, kpis=preferred)
        panel["waiting"] = sorted({feeds[k.pk] for k in preferred if k.pk in feeds})
    if ageing_kpis:
        values = [(str(label), by_slug[s].value) for s, label in AGEING if s in by_slug]
        if any(v for _label, v in values):  # all zero: nothing is past due, no chart to draw
            panel["ageing"] = {
                "chart": {"format": chart_format(Kpi.Unit.EUR), "labels": [label for label, _v in values],
                          "values": [as_float(v) for _label, v in values], "name": _("Receivables past due")},
                "rows": [(label, format_kpi_value(v, Kpi.Unit.EUR)) for label, v in values],
            }
    return panel
