from django.urls import path

from . import period_xlsx, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("commitments/", views.commitments, name="commitments"),
    path("search/", views.search, name="search"),
    path("commitments/<int:pk>/report/", views.report_progress, name="report_progress"),
    path("period-reports/<int:pk>/", views.period_report, name="period_report"),
    path("period-reports/<int:pk>/xlsx/", period_xlsx.period_report_xlsx, name="period_report_xlsx"),
    path("period-reports/<int:pk>/upload/", period_xlsx.period_report_upload, name="period_report_upload"),
    path("progress/<int:pk>/resubmit/", views.resubmit_progress, name="progress_resubmit"),
    path("agreements/<str:reference>/", views.agreement, name="agreement"),
    path("agreements/<str:reference>/amendments/<int:number>/", views.amendment, name="amendment"),
    path("agreements/<str:reference>/amendments/<int:number>/before/", views.amendment_before, name="amendment_before"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/active/", views.team_member_active, name="team_active"),
    path("team/<int:pk>/role/", views.team_member_role, name="team_role"),
    path("team/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("team/invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
]
