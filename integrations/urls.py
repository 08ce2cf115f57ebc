from django.urls import path

from integrations import mapping_views, oauth_views, views
from integrations.registry import OAUTH_APPS

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
    path("integrations/<int:connection_id>/accounts/", mapping_views.ledger_accounts, name="ledger_accounts"),
    path("integrations/<int:connection_id>/accounts/<int:account_id>/", mapping_views.ledger_account_remap,
         name="ledger_account_remap"),
    path("integrations/runs/<int:sync_run_id>/", views.sync_run_detail, name="sync_run_detail"),
    path("integrations/records/", views.record_list, name="record_list"),
]

# Each OAuth provider's "Continue with …" route, named `<provider>_oauth_start` (the connect page shows
# the button when it exists); its callback, outside /o/<org_slug>/, is in config/urls.py.
urlpatterns += [
    path(f"integrations/connect/{provider}/oauth/", oauth_views.oauth_start, {"provider": provider},
         name=f"{provider}_oauth_start")
    for provider in OAUTH_APPS
]
# When one consent reached several provider accounts (Xero organisations), the admin chooses one here.
urlpatterns += [path("integrations/connect/<str:provider>/choose/", oauth_views.oauth_choose_account,
                     name="oauth_choose_account")]
