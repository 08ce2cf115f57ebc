from rest_framework.routers import SimpleRouter

from objectives.api import ActionPlanViewSet, CheckInViewSet, KeyResultViewSet, ObjectiveViewSet

router = SimpleRouter()
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("key-results", KeyResultViewSet, basename="key_result")
router.register("action-plans", ActionPlanViewSet, basename="action_plan")
router.register("check-ins", CheckInViewSet, basename="check_in")

urlpatterns = router.urls
