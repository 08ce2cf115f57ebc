"""Tenant pages live under /o/<org_slug>/, tenant API routes under /api/v1/orgs/<org_slug>/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts import urls as accounts_urls
from accounts import views as accounts_views
from accounts.api import MembershipViewSet
from alerts.views import unsubscribe as alerts_unsubscribe
from integrations.oauth_views import oauth_callback
from integrations.providers.hubspot.webhooks import hubspot_webhook
from integrations.providers.salesforce.webhooks import salesforce_outbound_message
from integrations.providers.zoho.webhooks import zoho_notify
from integrations.registry import OAUTH_APPS
from reports.views import unsubscribe as reports_unsubscribe

api_router = SimpleRouter()
api_router.register("members", MembershipViewSet, basename="member")

# Each app owns `urls.py` (pages, namespaced by app) and `api_urls.py` (a router's routes).
org_patterns = [
    path("", include((accounts_urls.org_urlpatterns, "accounts"))),
    path("", include("integrations.urls")),
    path("", include("imports.urls")),
    path("", include("budgets.urls")),
    path("kpis/", include("kpis.urls")),
    path("objectives/", include("objectives.urls")),
    path("alerts/", include("alerts.urls")),
    path("", include("reports.urls")),
    path("", include("portfolio.urls")),
    path("dashboards/", include("dashboards.urls")),
]
api_patterns = [
    *api_router.urls,
    path("", include("integrations.api_urls")),
    path("", include("imports.api_urls")),
    path("", include("kpis.api_urls")),
    path("", include("objectives.api_urls")),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("", include((accounts_urls.public_urlpatterns, "invitations"))),
    path("", include((accounts_urls.account_urlpatterns, "companies"))),
    path("o/<slug:org_slug>/", include(org_patterns)),
    # OAuth providers redirect to one fixed URI registered for the app; the signed state names the org.
    *[path(f"integrations/{provider}/callback/", oauth_callback, {"provider": provider},
           name=f"{provider}_oauth_callback") for provider in OAUTH_APPS],
    path("integrations/hubspot/webhook/", hubspot_webhook, name="hubspot_webhook"),  # signed by HubSpot
    path("integrations/zoho/notify/<str:signed_id>/", zoho_notify, name="zoho_notify"),  # signed id + token
    path("integrations/salesforce/outbound/<str:signed_id>/", salesforce_outbound_message,
         name="salesforce_outbound_message"),  # signed id + org id
    path("alerts/unsubscribe/<str:token>/", alerts_unsubscribe, name="alerts_unsubscribe"),  # signed, no login
    path("reports/unsubscribe/<str:token>/", reports_unsubscribe, name="reports_unsubscribe"),  # signed, no login
    path("api/v1/orgs/<slug:org_slug>/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
