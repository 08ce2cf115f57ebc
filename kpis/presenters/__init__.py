"""Shapes KPI data for pages, panels, charts and the API; reads only, through kpis.selectors and the models.

Amounts and dates follow the active language (French: 1 234,56 €) via Babel's CLDR data; charts get their
data as JSON for static/js/charts.js. One module per page: catalogue, detail, analysis (driver tree,
what-if, lineage), editor, panel; `common` holds what they share.
"""

from kpis.presenters.analysis import (
    drivers_for,
    lineage_for,
    lineage_record_data,
    what_if_rows,
    what_if_summary,
)
from kpis.presenters.catalogue import catalogue_for, kpi_rows
from kpis.presenters.common import (
    can_see,
    format_kpi_value,
    format_number,
    kpi_name,
    metric_name,
    month_label,
    parse_month,
    period_label,
)
from kpis.presenters.detail import kpi_detail_for, with_formula
from kpis.presenters.editor import formula_check, reference_help
from kpis.presenters.panel import home_panel_for

__all__ = [
    "can_see",
    "catalogue_for",
    "drivers_for",
    "format_kpi_value",
    "format_number",
    "formula_check",
    "home_panel_for",
    "kpi_detail_for",
    "kpi_name",
    "kpi_rows",
    "lineage_for",
    "lineage_record_data",
    "metric_name",
    "month_label",
    "parse_month",
    "period_label",
    "reference_help",
    "what_if_rows",
    "what_if_summary",
    "with_formula",
]
