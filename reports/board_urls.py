"""/board-reports/: the board report PDFs (charity staff only)."""

from django.urls import path

from . import board_views

app_name = "board_reports"

urlpatterns = [
    path("", board_views.board_reports, name="list"),
    path("table/", board_views.board_reports_table, name="table"),
    path("<int:pk>/download/", board_views.board_report_download, name="download"),
]
