"""The largest agreement the editor allows can be saved, opened again and saved again: its own
page never posts more than a request may carry (Django refused 1 013 fields with a 400 and
everything typed was lost)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import agreement_with_clauses

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """What a browser sends for the form `form_id`: named inputs, checked boxes, selected options, textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.template = form_id, False, 0
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":  # rows the editor's script copies; not sent
            self.template += 1
        if self.template or ("name" not in a and tag in ("input", "select", "textarea")) or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if (kind in ("checkbox", "radio") and "checked" not in a) or kind in ("submit", "button", "file"):
                return
            self.fields.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "template" and self.template:
            self.template -= 1
        elif tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [v for v, _s in self._options[:1]]
            self.fields += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def submitted(page: str, form_id: str = "agreement-form") -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


def as_post(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def test_the_largest_agreement_the_editor_allows_is_saved_and_edited_again(staff_client):
    clauses, commitments = settings.AGREEMENT_MAX_CLAUSES, settings.CLAUSE_MAX_COMMITMENTS
    agreement = agreement_with_clauses(clauses=clauses, commitments_per_clause=commitments)
    url = reverse("agreements:edit", args=[agreement.reference])
    for round_ in range(2):  # saved, then opened and saved again
        fields = submitted(staff_client.get(url).content.decode())
        assert len(fields) <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        assert len(fields) > 1000  # the case Django's default refused
        data = as_post(fields)
        data["clauses-0-text_ar"] = [f"نص معدّل في الجولة {round_ + 1}"]
        response = staff_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert agreement.clauses.get(order=1).text_ar == f"نص معدّل في الجولة {round_ + 1}"
    assert agreement.clauses.count() == clauses
    assert sum(c.commitments.count() for c in agreement.clauses.all()) == clauses * commitments


def test_one_clause_past_the_limit_is_refused_in_arabic_keeping_what_was_typed(staff_client):
    agreement = agreement_with_clauses(clauses=settings.AGREEMENT_MAX_CLAUSES, commitments_per_clause=1)
    url = reverse("agreements:edit", args=[agreement.reference])
    data = as_post(submitted(staff_client.get(url).content.decode()))
    extra = f"clauses-{settings.AGREEMENT_MAX_CLAUSES}"
    data["clauses-TOTAL_FORMS"] = [str(settings.AGREEMENT_MAX_CLAUSES + 1)]
    data.update(
        {
            f"{extra}-order": ["99"],
            f"{extra}-kind": ["training"],
            f"{extra}-responsible_party": ["both"],
            f"{extra}-text_ar": ["بند زائد كتبه الموظف"],
            f"{extra}-commitments-TOTAL_FORMS": ["0"],
            f"{extra}-commitments-INITIAL_FORMS": ["0"],
        }
    )
    response = staff_client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "بند زائد كتبه الموظف" in page  # still on the page
    assert "لا يمكن أن تضم الاتفاقية أكثر من 30 بندًا" in page
    assert agreement.clauses.count() == settings.AGREEMENT_MAX_CLAUSES
