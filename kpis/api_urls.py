from django.urls import path
from rest_framework.routers import SimpleRouter

from kpis.api import KpiViewSet
from kpis.feed import kpi_values_feed_csv, kpi_values_feed_json

router = SimpleRouter()
router.register("kpis", KpiViewSet, basename="kpi")

urlpatterns = [
    *router.urls,
    path("feed/kpi-values.csv", kpi_values_feed_csv, name="kpi_values_feed_csv"),
    path("feed/kpi-values.json", kpi_values_feed_json, name="kpi_values_feed_json"),
]
