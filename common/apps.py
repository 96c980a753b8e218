from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers every app may use (text, dates, mail, template filters); it imports no app.

    An app only so that Django finds its template library (`{% load arabic %}`) and its
    `makemessages` command.
    """

    name = "common"
    verbose_name = "Common"
