from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo charity and its four partnerships (`manage.py load_demo`); nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
