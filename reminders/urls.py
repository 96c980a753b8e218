from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/e-mail/", views.reminder_emails, name="reminder_emails"),
    path("notifications/<int:pk>/", views.notification_open, name="open"),
    path("agreements/<str:reference>/", views.agreement_reminders, name="agreement"),
    path("agreements/<str:reference>/offsets/", views.agreement_offsets, name="offsets"),
]
