from rest_framework.routers import SimpleRouter

from imports.api import PUSH_VIEWSETS

router = SimpleRouter()
for key, viewset in PUSH_VIEWSETS.items():
    router.register(f"records/{key}", viewset, basename=f"records-{key.replace('_', '-')}")

urlpatterns = router.urls
