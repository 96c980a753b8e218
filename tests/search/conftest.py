"""The demo's data (the source's four partnerships), loaded for the search tests."""

from __future__ import annotations

import pytest

from accounts.models import User
from demo.data import demo_load


@pytest.fixture
def demo(settings):
    """The demo loaded (as `make run` loads it, with DEBUG on); returns the staff editor."""
    settings.DEBUG = True
    demo_load()
    return User.objects.get(username="staff")
