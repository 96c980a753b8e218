from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PortalCoreConfig(AppConfig):
    name = "qatif_partnerships"
    verbose_name = "Qatif partnerships"

    def ready(self) -> None:
        from .page_cache import install_write_watch

        # Every write to the portal's tables, in any process, retires the stored pages.
        connection_created.connect(install_write_watch, dispatch_uid="page_cache_write_watch")
