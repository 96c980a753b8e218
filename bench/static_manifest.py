"""For benches that run with production's settings (DEBUG off): static files are served through
the manifest collectstatic writes, so it is written first (again when the project's own static
files changed since). Call after `django.setup()`."""

from __future__ import annotations

from pathlib import Path


def ensure_static() -> None:
    from django.conf import settings
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    own = [f for f in (Path(settings.BASE_DIR) / "static").rglob("*") if f.is_file()]
    if not manifest.exists() or any(f.stat().st_mtime > manifest.stat().st_mtime for f in own):
        print("collectstatic ...", flush=True)
        call_command("collectstatic", interactive=False, verbosity=0)
