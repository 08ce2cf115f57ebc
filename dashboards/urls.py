from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_list, name="dashboard_list"),
    path("new/", views.dashboard_create, name="dashboard_create"),
    path("mine/", views.role_dashboard, name="role_dashboard"),
    path("<int:dashboard_id>/", views.dashboard_detail, name="dashboard_detail"),
    path("<int:dashboard_id>/compose/", views.dashboard_compose, name="dashboard_compose"),
    path("<int:dashboard_id>/delete/", views.dashboard_delete, name="dashboard_delete"),
    path("<int:dashboard_id>/widgets/", views.widget_add, name="widget_add"),
    path("<int:dashboard_id>/widgets/<int:widget_id>/remove/", views.widget_remove, name="widget_remove"),
    path("<int:dashboard_id>/widgets/<int:widget_id>/move/", views.widget_move, name="widget_move"),
    path("<int:dashboard_id>/widgets/<int:widget_id>/resize/", views.widget_resize, name="widget_resize"),
]
