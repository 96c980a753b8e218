"""A page stored by the web process is retired by a change another process commits.

The worker and beat write to the database from their own processes; they share only Redis with
the web process. Here another process (`manage.py shell`, the same settings the worker uses)
changes an agreement, and the test process, with the same Redis as its cache, must show it on
the next page view.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from partners.models import CharityProfile
from tests.factories import AgreementFactory, StaffFactory
from tests.integration.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_redis_cache(settings, redis_url):
    # A database of its own in the same Redis, emptied first, so no other run's pages are seen.
    url = redis_url.rsplit("/", 1)[0] + "/12"
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}}
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    return url


def test_a_change_committed_by_another_process_shows_on_the_next_page(shared_database, shared_redis_cache, client):
    CharityProfile.load()
    staff = StaffFactory()
    agreement = AgreementFactory(owner=staff, title_ar="قبل التغيير")
    client.force_login(staff)
    url = reverse("agreements:detail", args=[agreement.reference])
    for _ in range(3):  # CSRF cookie, stored, served
        assert "قبل التغيير" in client.get(url).content.decode()

    script = (
        "from agreements.models import Agreement;"
        f"Agreement.objects.filter(pk={agreement.pk}).update(title_ar='بعد التغيير من عملية أخرى')"
    )
    env = {**os.environ, "DATABASE_URL": shared_database, "REDIS_URL": shared_redis_cache}
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True)

    assert "بعد التغيير من عملية أخرى" in client.get(url).content.decode()
