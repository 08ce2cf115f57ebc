from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_home, name="report_home"),
    path("reports/schedules/new/", views.schedule_create, name="schedule_create"),
    path("reports/schedules/<int:schedule_id>/", views.schedule_edit, name="schedule_edit"),
    path("reports/schedules/<int:schedule_id>/delete/", views.schedule_delete, name="schedule_delete"),
    path("reports/preview/", views.preview, name="preview"),
    path("reports/preview/pdf/", views.preview_pdf, name="preview_pdf"),
    path("reports/preview/send/", views.preview_send, name="preview_send"),
    path("reports/archive/", views.archive, name="archive"),
    path("reports/archive/<int:sent_report_id>/pdf/", views.sent_report_pdf, name="sent_report_pdf"),
    path("reports/language/", views.language_set, name="language_set"),
    path("reports/branding/", views.branding, name="branding"),
    path("reports/clients/send/", views.clients_send, name="clients_send"),
    path("reports/reviews/<int:review_id>/pack.pdf", views.review_pack_pdf, name="review_pack_pdf"),
    path("reports/reviews/<int:review_id>/send/", views.review_pack_send, name="review_pack_send"),
]
