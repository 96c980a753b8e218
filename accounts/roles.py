"""The staff groups and the permissions each carries."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from .models import STAFF_EDITORS, STAFF_READONLY

# (app_label, model) pairs the staff work with.
_STAFF_MODELS = [
    ("partners", "partner"),
    ("partners", "contact"),
    ("agreements", "agreement"),
    ("agreements", "clause"),
    ("agreements", "commitment"),
    ("agreements", "progressupdate"),
]


def ensure_staff_groups(**kwargs) -> None:
    """Create the two staff groups with their permissions; safe to run repeatedly."""
    from django.contrib.auth.models import Group, Permission

    # Permissions are normally created by another post_migrate receiver; make sure they
    # exist whichever receiver runs first.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    editors, _ = Group.objects.get_or_create(name=STAFF_EDITORS)
    readonly, _ = Group.objects.get_or_create(name=STAFF_READONLY)
    view, edit = [], []
    for app_label, model in _STAFF_MODELS:
        perms = Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        for perm in perms:
            (view if perm.codename.startswith("view_") else edit).append(perm)
    readonly.permissions.set(view)
    editors.permissions.set(view + edit)
