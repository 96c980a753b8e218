"""Which URL names the fuzz tests drive; tests/fuzz/test_coverage.py compares it with urls.py."""

from __future__ import annotations

COVERED: set[str] = set()


def covers(*names: str):
    """Mark a fuzz test as driving the URLs named (`namespace:name`)."""
    COVERED.update(names)

    def mark(test):
        return test

    return mark
