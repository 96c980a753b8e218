from django.contrib import admin

from .models import Notification, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "agreement", "offset_days", "recipient_email", "due_on", "status", "sent_at", "attempts"]
    list_filter = ["kind", "status", "agreement__partner"]
    search_fields = ["recipient_email", "agreement__reference", "agreement__title_ar", "error"]
    list_select_related = ["agreement"]
    date_hierarchy = "due_on"
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "user__username", "user__email"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False
