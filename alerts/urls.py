from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="alert_list"),
    path("bell/", views.bell, name="bell"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:rule_id>/", views.rule_update, name="rule_update"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("<int:alert_id>/respond/", views.alert_respond, name="alert_respond"),
]
