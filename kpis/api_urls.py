from rest_framework.routers import SimpleRouter

from kpis.api import KpiViewSet

router = SimpleRouter()
router.register("kpis", KpiViewSet, basename="kpi")

urlpatterns = router.urls
