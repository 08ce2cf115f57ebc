from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("integrations/", views.connection_list, name="connection_list"),
    path("integrations/connect/", views.connection_connect, name="connection_connect"),
    path("integrations/<int:connection_id>/", views.connection_detail, name="connection_detail"),
    path("integrations/<int:connection_id>/test/", views.connection_test, name="connection_test"),
    path("integrations/<int:connection_id>/sync/", views.connection_sync, name="connection_sync"),
    path("integrations/<int:connection_id>/pause/", views.connection_pause, name="connection_pause"),
    path("integrations/<int:connection_id>/resume/", views.connection_resume, name="connection_resume"),
    path("integrations/<int:connection_id>/token/", views.connection_token, name="connection_token"),
    path("integrations/<int:connection_id>/disconnect/", views.connection_disconnect, name="connection_disconnect"),
    path("integrations/<int:connection_id>/companies/", views.firm_companies, name="firm_companies"),
    path("integrations/runs/<int:sync_run_id>/", views.sync_run_detail, name="sync_run_detail"),
    path("integrations/records/", views.record_list, name="record_list"),
]

# A provider with OAuth contributes its "start" view (tenant-scoped, named `<provider>_oauth_start`);
# the connect page shows the redirect button when that route exists.
try:
    from integrations.oauth_hubspot import hubspot_oauth_start
except ImportError:  # the HubSpot module is optional
    hubspot_oauth_start = None
if hubspot_oauth_start is not None:
    urlpatterns.append(path("integrations/connect/hubspot/oauth/", hubspot_oauth_start, name="hubspot_oauth_start"))
