from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(
    key="ceo", title=_("CEO synthesis"),
    kpis=("revenue", "gross_margin_pct", "ebe", "net_result", "net_cash", "runway_months", "mrr",
          "on_time_delivery", "late_invoices_amount"),
    charts=("revenue", "net_cash"),
)
