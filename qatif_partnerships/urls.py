from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from agreements import views as agreement_views
from agreements.views import pdf as pdf_views
from reminders import views as reminder_views

from . import health

admin.site.site_header = _("Partnership portal administration")
admin.site.site_title = _("Partnership portal")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", agreement_views.dashboard, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("partners/", include("partners.urls")),
    path("agreements/", include("agreements.urls")),
    path("sign/", include("agreements.signing.urls")),
    path("reminders/", include("reminders.urls")),
    path("portal/", include("portal.urls")),
    path("board-reports/", include("reports.board_urls")),
    path("calendar/<str:token>.ics", reminder_views.calendar_feed, name="calendar_feed"),
    path("verify/<str:code>/", pdf_views.verify, name="verify"),
    # Before admin.site.urls, whose catch-all would answer /admin/reports/ with a 404.
    path("admin/reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
