"""The login backend: Django's ModelBackend, with the per-request user lookup cached."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from qatif_partnerships.page_cache import usable_version


class CachedModelBackend(ModelBackend):
    """Every request loads its user (and, for the access checks, the user's groups).

    Both are kept in the cache under the data version (see qatif_partnerships.page_cache):
    any committed write, a password change or a deactivation included, makes the copy
    unreachable, so the next request reads the user afresh.
    """

    def get_user(self, user_id):
        version = usable_version()
        if version is None:
            return super().get_user(user_id)
        key = f"portal:user:{version}:{user_id}"
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            user._group_names  # noqa: B018 - loaded now so the cached copy answers access checks
            cache.set(key, user, settings.PAGE_CACHE_SECONDS)
        return user
