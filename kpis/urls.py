from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.kpi_create, name="kpi_create"),
    path("formula-check/", views.formula_check, name="formula_check"),
    path("packs/", views.catalogue_packs, name="catalogue_packs"),
    path("<slug:kpi_slug>/", views.kpi_detail, name="kpi_detail"),
    path("<slug:kpi_slug>/edit/", views.kpi_edit, name="kpi_edit"),
    path("<slug:kpi_slug>/delete/", views.kpi_delete, name="kpi_delete"),
    path("<slug:kpi_slug>/lineage/", views.kpi_lineage, name="kpi_lineage"),
    path("<slug:kpi_slug>/what-if/", views.kpi_what_if, name="kpi_what_if"),
    path("<slug:kpi_slug>/notes/", views.kpi_annotate, name="kpi_annotate"),
]
