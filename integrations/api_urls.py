from rest_framework.routers import SimpleRouter

from integrations.api import ConnectionViewSet, SyncRunViewSet

router = SimpleRouter()
router.register("connections", ConnectionViewSet, basename="connection")
router.register("sync-runs", SyncRunViewSet, basename="syncrun")

urlpatterns = router.urls
