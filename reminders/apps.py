from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders and notifications")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the notifications to agreements' signals
