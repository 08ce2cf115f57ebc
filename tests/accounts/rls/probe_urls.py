"""The project's routes plus two probes that run a deliberately unscoped query (a forgotten `for_org`):
one tenant page, one API endpoint on the API base. Only row-level security stands in their way."""

from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response

from accounts.api_base import OrgScopedViewSet
from config.urls import urlpatterns as project_urlpatterns
from objectives.models import Objective


def _titles() -> list[str]:
    return sorted(Objective.objects.values_list("title", flat=True))  # deliberately unscoped


def unscoped_page(request, org_slug):
    return JsonResponse({"org": request.org.slug, "titles": _titles()})


class UnscopedApi(OrgScopedViewSet):
    queryset = Objective.objects.none()
    capabilities = {"*": "objectives.view"}

    def list(self, request, org_slug):
        return Response({"org": request.org.slug, "titles": _titles()})


urlpatterns = [
    path("o/<slug:org_slug>/rls-probe/", unscoped_page),
    path("api/v1/orgs/<slug:org_slug>/rls-probe/", UnscopedApi.as_view({"get": "list"})),
    *project_urlpatterns,
]
