from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("budgets/", views.budget_page, name="budget_page"),  # ?version=<id>&month=YYYY-MM&export=csv|xlsx
    path("budgets/new/", views.budget_create, name="budget_create"),
    path("budgets/versions/<int:version_id>/cell/", views.budget_cell_save, name="budget_cell_save"),
    path("budgets/versions/<int:version_id>/rows/", views.budget_row_add, name="budget_row_add"),
    path("budgets/versions/<int:version_id>/rows/delete/", views.budget_row_delete, name="budget_row_delete"),
    path("budgets/versions/<int:version_id>/copy/", views.budget_version_copy, name="budget_version_copy"),
    path("budgets/versions/<int:version_id>/reference/", views.budget_version_reference,
         name="budget_version_reference"),
    path("budgets/versions/<int:version_id>/targets/", views.kpi_targets_from_budget, name="kpi_targets_from_budget"),
]
