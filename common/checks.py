"""System checks of settings that only demos and tests should use."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def moved_clock(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG or not (settings.PORTAL_TODAY or settings.PORTAL_TODAY_FILE):
        return []
    return [
        checks.Warning(
            "PORTAL_TODAY or PORTAL_TODAY_FILE is set without DEBUG: the portal's date is not the real one.",
            hint="These settings are for demos and tests; leave them empty in production.",
            id="portal.W001",
        )
    ]
