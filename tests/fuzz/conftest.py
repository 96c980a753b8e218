"""Hypothesis profiles for the fuzz tests, and the world they run against.

`HYPOTHESIS_PROFILE=ci` (the default, what `make test` runs): a few dozen examples per
endpoint, derandomized so every CI run tries the same inputs. `HYPOTHESIS_PROFILE=fuzz`
(`make fuzz`): at least 1000 examples per endpoint, random each run.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# The world is made once per test function and every example runs in a rolled-back
# savepoint (see harness.exercise), so function-scoped fixtures are what we want.
_SHARED = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=30, derandomize=True, database=None, **_SHARED)
settings.register_profile("fuzz", max_examples=1000, **_SHARED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def world(postgres):
    """The rows to fuzz against. The database fingerprint is PostgreSQL SQL (see harness)."""
    from tests.fuzz.world import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _tally_name(request):
    from tests.fuzz import harness

    harness.CURRENT_TEST[0] = request.node.name
    yield
    harness.CURRENT_TEST[0] = "?"


def pytest_terminal_summary(terminalreporter):
    from tests.fuzz.harness import TALLY

    if not TALLY:
        return
    tests = sorted({name for name, _outcome in TALLY})
    terminalreporter.section(f"fuzzed requests ({settings().max_examples} examples per test)")
    for name in tests:
        accepted, rejected = TALLY[(name, "accepted")], TALLY[(name, "rejected")]
        terminalreporter.write_line(
            f"{name:60} {accepted + rejected:6} requests {accepted:6} accepted {rejected:6} rejected"
        )
