from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default = True

    def ready(self) -> None:
        from .roles import ensure_staff_groups

        post_migrate.connect(ensure_staff_groups, sender=self)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django admin, served by the portal's admin site (login and two-factor check)."""

    default = False  # "accounts" itself is AccountsConfig
    default_site = "accounts.admin_site.PortalAdminSite"
