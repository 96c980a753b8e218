from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from spreadsheets.exports import ExportAdminMixin

from .models import User
from .resources import UserResource


@admin.register(User)
class UserAdmin(ExportAdminMixin, BaseUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "partner",
        "partner_role",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "partner_role", "partner"]
    list_select_related = ["partner"]
    search_fields = ["username", "first_name", "last_name", "email", "partner__name_ar"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Partner"), {"fields": ["partner", "partner_role"]}),
    ]
    autocomplete_fields = ["partner"]
    resource_classes = [UserResource]

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("groups")
