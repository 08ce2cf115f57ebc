from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(
    key="cfo", title=_("CFO costs and margins"),
    kpis=("revenue", "gross_margin_pct", "commercial_margin", "value_added", "ebe", "operating_result",
          "net_result", "net_cash", "cash_burn", "dso", "late_invoices_amount", "budget_variance"),
    charts=("revenue", "ebe", "net_cash"),
    max_figures=10,
)
