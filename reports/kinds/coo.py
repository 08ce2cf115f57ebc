from django.utils.translation import gettext_lazy as _

from reports.kinds.base import DigestKind

KIND = DigestKind(
    key="coo", title=_("COO operations"),
    kpis=("order_processing_mean", "on_time_delivery", "delivery_delay", "return_rate", "return_cost",
          "capacity_utilisation", "throughput", "cost_per_unit"),
    charts=("order_processing_mean", "return_rate"),
)
