"""Spreadsheet columns of user accounts (export only). Never the password hash."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from spreadsheets.resources import ExportOnlyResource, column

from .models import User


class UserResource(ExportOnlyResource):
    username = column(User, "username")
    email = column(User, "email")
    first_name = column(User, "first_name")
    last_name = column(User, "last_name")
    partner = column(User, "partner", lookup="name_ar")
    partner_role = column(User, "partner_role")
    groups = Field(column_name=capfirst(_("groups")))
    is_staff = column(User, "is_staff")
    is_superuser = column(User, "is_superuser")
    is_active = column(User, "is_active")
    reminder_emails = column(User, "reminder_emails")
    last_login = column(User, "last_login")
    date_joined = column(User, "date_joined")

    class Meta(ExportOnlyResource.Meta):
        model = User
        # Listed, so a field added to User later is not exported until it is named here.
        fields = (
            "username",
            "email",
            "first_name",
            "last_name",
            "partner",
            "partner_role",
            "groups",
            "is_staff",
            "is_superuser",
            "is_active",
            "reminder_emails",
            "last_login",
            "date_joined",
        )

    def dehydrate_groups(self, user) -> str:
        return "، ".join(sorted(group.name for group in user.groups.all()))
