from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: for seeing work that is waiting or failed, never for editing it."""

    list_display = ("id", "task", "args", "created_at", "published_at", "started_at", "done_at", "runs", "error")
    list_filter = ("task", ("done_at", admin.EmptyFieldListFilter), ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("task", "error")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
