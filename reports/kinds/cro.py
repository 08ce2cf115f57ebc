from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(
    key="cro", title=_("CRO revenue"),
    kpis=("revenue", "mrr", "pipeline_coverage", "lead_conversion_rate", "win_rate", "average_deal_size",
          "cac", "ltv_cac", "churn_rate", "nrr"),
    charts=("revenue", "mrr"),
)
