"""One Arabic word per meaning across every spreadsheet the portal writes.

«العنوان» once headed a contact's job title (and an agreement's title) in one export and
a partner's address in another, and «تبدأ في (هجري)» stood beside «تاريخ البدء» for
the same date. Every export header is collected here, from the admin's resources
(changelist exports and imports) and the reports' downloads, in Arabic and in English
(the English header stands for the meaning). Headers are compared by their words,
without what qualifies them in brackets («(بالعربية)», "(Hijri)") or a "%": an Arabic
word that means two things, or a meaning with two Arabic words, fails the test.
"""

from __future__ import annotations

import importlib
import re
from collections import defaultdict

import pytest
from django.apps import apps
from django.utils import translation

from reports.definitions import REPORTS
from spreadsheets.resources import PortalResource

pytestmark = pytest.mark.django_db

# English words that name two different things, each with its own Arabic word.
HOMONYMS = {
    # An agreement in force (a status, «سارية») and a partner or contact still active («نشط»).
    "active",
}
QUALIFIER = re.compile(r"\s*(\([^)]*\)|%)\s*$")


def word(header: str) -> str:
    """«العنوان (بالعربية)» → «العنوان»; "Progress %" → "progress"."""
    return QUALIFIER.sub("", header.strip()).strip().casefold()


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def resource_headers() -> dict[str, list[str]]:
    """Each concrete resource's headers (by where they come from), in the active language."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.resources")
        except ModuleNotFoundError:
            continue
    headers = {}
    for resource in _subclasses(PortalResource):
        if resource._meta.model is None:  # the abstract bases
            continue
        instance = resource()
        headers[f"{resource.__module__}.{resource.__name__}"] = [
            str(f.column_name) for f in instance.get_export_fields()
        ]
    return headers


def report_headers() -> dict[str, list[str]]:
    headers = {}
    for slug, report_class in REPORTS.items():
        for by, _label in report_class.groupings or [("", "")]:
            report = report_class({"by": by} if by else None)
            headers[f"report {slug} {by}"] = [str(column.label) for column in report.build().columns]
    return headers


def all_headers(language: str) -> dict[str, list[str]]:
    with translation.override(language):
        return resource_headers() | report_headers()


def test_headers_are_compared_by_their_words():
    assert word("العنوان (بالعربية)") == word("العنوان") == "العنوان"
    assert word("Progress %") == word("progress") == "progress"


def test_the_exports_are_all_collected():
    headers = all_headers("ar")
    assert {"partners.resources.PartnerResource", "partners.resources.ContactResource"} <= set(headers)
    assert any(name.startswith("report commitments") for name in headers)


def test_each_arabic_export_header_has_one_meaning_and_each_meaning_one_arabic_header():
    arabic, english = all_headers("ar"), all_headers("en")
    meanings, words = defaultdict(set), defaultdict(set)
    for source, headers in arabic.items():
        assert len(headers) == len(english[source]), source
        for arabic_header, english_header in zip(headers, english[source], strict=True):
            arabic_word, meaning = word(arabic_header), word(english_header)
            meanings[arabic_word].add(meaning)
            words[meaning].add(arabic_word)
    two_meanings = {w: sorted(m) for w, m in meanings.items() if len(m) > 1}
    two_words = {m: sorted(w) for m, w in words.items() if len(w) > 1 and m not in HOMONYMS}
    assert two_meanings == {}, "one Arabic header for two fields"
    assert two_words == {}, "two Arabic headers for one field"
