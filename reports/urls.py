"""/admin/reports/: every view behind the admin login (`admin.site.admin_view`)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "reports"


def _admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("", _admin(views.index), name="index"),
    path("exports/<int:pk>/", _admin(views.export_job), name="export"),
    path("exports/<int:pk>/download/", _admin(views.export_job_download), name="export_download"),
    path("<slug:slug>/", _admin(views.report_view), name="report"),
    path("<slug:slug>/print/", _admin(views.report_print), name="print"),
    path("<slug:slug>/export.<str:file_format>", _admin(views.report_export), name="download"),
]
