from django.urls import path

from accounts import views

org_urlpatterns = [
    path("", views.org_home, name="org_home"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/clients/new/", views.client_create, name="client_create"),
    path("engagements/new/", views.engagement_create, name="engagement_create"),
    path("engagements/<int:engagement_id>/end/", views.engagement_end, name="engagement_end"),
    path("engagements/<int:engagement_id>/approve/", views.engagement_approve, name="engagement_approve"),
    path("engagements/<int:engagement_id>/refuse/", views.engagement_refuse, name="engagement_refuse"),
    path("engagements/<int:engagement_id>/ceiling/", views.engagement_set_ceiling, name="engagement_set_ceiling"),
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.invitation_create, name="invitation_create"),
    path("members/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("members/<int:membership_id>/role/", views.member_change_role, name="member_change_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("audit/", views.audit_log, name="audit_log"),
    path("api-keys/", views.api_key_list, name="api_key_list"),
    path("api-keys/<str:api_key_prefix>/revoke/", views.api_key_revoke, name="api_key_revoke"),
]

# Public, outside any organization: the link in the invitation e-mail.
public_urlpatterns = [
    path("invitations/<str:token>/", views.invitation_accept, name="accept"),
]

# Signed in, outside any organization: creating one's own company.
account_urlpatterns = [
    path("companies/new/", views.company_create, name="company_create"),
]
