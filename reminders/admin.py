from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from spreadsheets.exports import ExportAdminMixin

from .models import Notification, Reminder
from .resources import NotificationResource, ReminderResource


@admin.register(Reminder)
class ReminderAdmin(ExportAdminMixin, admin.ModelAdmin):
    list_display = [
        "kind",
        "agreement",
        "partner",
        "offset_days",
        "recipient_email",
        "due_on",
        "status",
        "sent_at",
        "attempts",
    ]
    list_filter = ["kind", "status", "agreement__partner__sector", "agreement__partner"]
    search_fields = ["recipient_email", "agreement__reference", "agreement__title_ar", "error"]
    list_select_related = ["agreement__partner"]
    list_per_page = 100
    resource_classes = [ReminderResource]
    date_hierarchy = "due_on"
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("partner"), ordering="agreement__partner__name_ar")
    def partner(self, obj):
        return obj.agreement.partner


@admin.register(Notification)
class NotificationAdmin(ExportAdminMixin, admin.ModelAdmin):
    list_display = ["headline", "user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    # `title` keeps the Arabic rendering for this search (reminders.models.Notification).
    search_fields = ["title", "user__username", "user__email"]
    list_select_related = ["user", "agreement"]
    resource_classes = [NotificationResource]

    @admin.display(description=_("Notification title"))
    def headline(self, obj):
        return obj.headline

    def has_add_permission(self, request):
        return False
