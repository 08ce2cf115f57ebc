from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("clients/", views.overview, name="overview"),
    path("clients/inbox/", views.inbox, name="inbox"),
    path("clients/benchmarks/", views.benchmarks, name="benchmarks"),
    path("clients/groups/", views.group_list, name="group_list"),
    path("clients/groups/new/", views.group_create, name="group_create"),
    path("clients/groups/<int:group_id>/", views.group_update, name="group_update"),
    path("clients/groups/<int:group_id>/delete/", views.group_delete, name="group_delete"),
    path("clients/consolidations/", views.consolidation_list, name="consolidation_list"),
    path("clients/consolidations/new/", views.consolidation_create, name="consolidation_create"),
    path("clients/consolidations/<int:consolidation_id>/", views.consolidation_detail, name="consolidation_detail"),
    path("clients/consolidations/<int:consolidation_id>/intercompany/", views.intercompany_mark,
         name="intercompany_mark"),
    path("clients/consolidations/<int:consolidation_id>/intercompany/<int:mark_id>/delete/",
         views.intercompany_unmark, name="intercompany_unmark"),
    # the company's side: its CEO approves or refuses the consolidations declared on it
    path("consolidation/", views.consolidation_requests, name="consolidation_requests"),
    path("consolidation/<int:member_id>/approve/", views.consolidation_approve, name="consolidation_approve"),
    path("consolidation/<int:member_id>/refuse/", views.consolidation_refuse, name="consolidation_refuse"),
    # a group declared by the holding's CEO, without a consultancy, and its consolidated page
    path("consolidation/groups/new/", views.holding_consolidation_create, name="holding_consolidation_create"),
    path("consolidation/groups/<int:consolidation_id>/", views.holding_consolidation, name="holding_consolidation"),
    path("consolidation/groups/<int:consolidation_id>/intercompany/", views.holding_intercompany_mark,
         name="holding_intercompany_mark"),
    path("consolidation/groups/<int:consolidation_id>/intercompany/<int:mark_id>/delete/",
         views.holding_intercompany_unmark, name="holding_intercompany_unmark"),
]
