from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers every app may use (text, dates, mail, template filters); it imports no app.

    An app only so that Django finds its template library (`{% load arabic %}`), its
    `makemessages` and `portal_clock` commands and its system checks.
    """

    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
