from django.urls import path

from objectives import views

app_name = "objectives"

urlpatterns = [
    path("", views.cascade, name="cascade"),
    path("new/", views.objective_create, name="objective_create"),
    path("<int:objective_id>/", views.objective_detail, name="objective_detail"),
    path("<int:objective_id>/children/", views.objective_children, name="objective_children"),
    path("<int:objective_id>/edit/", views.objective_edit, name="objective_edit"),
    path("<int:objective_id>/status/", views.objective_status, name="objective_status"),
    path("<int:objective_id>/check-in/", views.objective_check_in, name="objective_check_in"),
    path("<int:objective_id>/key-results/new/", views.key_result_create, name="key_result_create"),
    path("key-results/<int:key_result_id>/edit/", views.key_result_edit, name="key_result_edit"),
    path("key-results/<int:key_result_id>/delete/", views.key_result_delete, name="key_result_delete"),
    path("<int:objective_id>/action-plans/new/", views.action_plan_create, name="action_plan_create"),
    path("action-plans/<int:action_plan_id>/edit/", views.action_plan_edit, name="action_plan_edit"),
    path("action-plans/<int:action_plan_id>/checklist/<int:item_index>/", views.action_plan_checklist_toggle,
         name="action_plan_checklist_toggle"),
    path("<int:objective_id>/derived-targets/accept/", views.derived_targets_accept, name="derived_targets_accept"),
    path("derived-targets/<int:derived_target_id>/adopt/", views.derived_target_adopt, name="derived_target_adopt"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:review_id>/", views.review_detail, name="review_detail"),
    path("reviews/<int:review_id>/edit/", views.review_edit, name="review_edit"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/save/", views.template_save, name="template_save"),
    path("templates/<int:template_id>/apply/", views.template_apply, name="template_apply"),
    path("templates/<int:template_id>/delete/", views.template_delete, name="template_delete"),
]
