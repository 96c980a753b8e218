"""The relevance set (tests/search/relevance.py) against the demo's data, on the real database."""

from __future__ import annotations

import pytest

from agreements.models import Agreement
from agreements.search import search
from tests.search.relevance import CASES, SAIHAT

pytestmark = pytest.mark.django_db

TOP = 5


def test_the_relevance_set_is_large_enough():
    assert len(CASES) >= 40


def test_every_expected_result_is_found_in_the_top_five_of_its_kind(demo):
    saihat_reference = Agreement.objects.filter(partner__name_ar=SAIHAT).earliest("id").reference
    misses = []
    for query, expected in CASES:
        results = search(user=demo, text=query)
        ranked = {group.kind: [hit.key for hit in group.hits] for group in results.groups}
        for key in expected:
            key = key.format(saihat_reference=saihat_reference)
            kind = key.split(":", 1)[0]
            if key not in ranked.get(kind, [])[:TOP]:
                misses.append((query, key, ranked.get(kind, [])[:TOP]))
    assert not misses, "\n".join(f"{q!r}: {k} not in top {TOP}: {got}" for q, k, got in misses)
