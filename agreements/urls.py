from django.urls import path

from . import views
from .views import pdf, periods, progress, search, signing

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_edit, name="create"),
    path("search/", search.search_view, name="search"),
    path("progress/", progress.progress_queue, name="progress_queue"),
    path("progress/<int:pk>/review/", progress.progress_review_view, name="progress_review"),
    path("progress/<int:pk>/resubmit/", progress.resubmit_progress, name="progress_resubmit"),
    path("commitments/<int:pk>/report/", progress.report_progress, name="report_progress"),
    path("period-reports/late/", periods.late_reports, name="late_reports"),
    path("period-reports/<int:pk>/", periods.period_report, name="period_report"),
    path("evidence/<int:pk>/", progress.evidence_download, name="evidence_download"),
    path("<str:reference>/", views.agreement_detail, name="detail"),
    path("<str:reference>/edit/", views.agreement_edit, name="edit"),
    path("<str:reference>/history/", views.agreement_history, name="history"),
    path("<str:reference>/audit/", views.agreement_audit, name="audit"),
    path("<str:reference>/send/", views.send_for_signature, name="send"),
    path("<str:reference>/recall/", views.recall, name="recall"),
    path("<str:reference>/terminate/", views.terminate, name="terminate"),
    path("<str:reference>/renew/", views.renew, name="renew"),
    path("<str:reference>/reporting-schedule/", periods.reporting_schedule, name="reporting_schedule"),
    path("<str:reference>/amendments/new/", views.amendment_create, name="amendment_create"),
    path("<str:reference>/amendments/<int:number>/", views.amendment_detail, name="amendment"),
    path("<str:reference>/amendments/<int:number>/before/", views.amendment_before, name="amendment_before"),
    path("<str:reference>/amendments/<int:number>/edit/", views.amendment_edit, name="amendment_edit"),
    path("<str:reference>/amendments/<int:number>/delete/", views.amendment_delete, name="amendment_delete"),
    path("<str:reference>/amendments/<int:number>/send/", views.amendment_send, name="amendment_send"),
    path("<str:reference>/amendments/<int:number>/recall/", views.amendment_recall, name="amendment_recall"),
    path("<str:reference>/amendments/<int:number>/sign/", signing.sign_amendment_from_account, name="amendment_sign"),
    path(
        "<str:reference>/amendments/<int:number>/pdf/<str:kind>/<str:language>/",
        pdf.amendment_pdf_download,
        name="amendment_pdf",
    ),
    path("<str:reference>/amendments/<int:number>/pdf-retry/", pdf.amendment_pdf_retry, name="amendment_pdf_retry"),
    path("<str:reference>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<str:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("<str:reference>/sign/", signing.sign_from_account, name="sign"),
    path("<str:reference>/pdf/", pdf.pdf_download, name="pdf"),
    path("<str:reference>/pdf/<str:language>/", pdf.pdf_download, name="pdf_language"),
    path("<str:reference>/pdf-status/", pdf.pdf_status, name="pdf_status"),
    path("<str:reference>/pdf-retry/", pdf.pdf_retry, name="pdf_retry"),
    path("<str:reference>/signatories/<int:pk>/resend/", signing.signatory_resend, name="signatory_resend"),
    path("<str:reference>/signatories/<int:pk>/revoke/", signing.signatory_revoke, name="signatory_revoke"),
]
