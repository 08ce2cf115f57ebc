from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/template/", views.import_template, name="import_template"),  # ?kind=orders
    path("imports/<int:run_id>/", views.import_run_detail, name="import_run_detail"),
    path("imports/<int:run_id>/mapping/", views.import_run_mapping, name="import_run_mapping"),
    path("imports/<int:run_id>/confirm/", views.import_run_confirm, name="import_run_confirm"),
    path("imports/<int:run_id>/cancel/", views.import_run_cancel, name="import_run_cancel"),
    path("imports/<int:run_id>/rejected.csv", views.import_run_rejected, name="import_run_rejected"),
]
