"""The judge itself: a rejection that changes the database, a silent answer, a 500 and a
message-less error page must each fail."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory

from partners.models import Partner
from tests.factories import PartnerFactory
from tests.fuzz.harness import Silent, fingerprint, judge, page_error_texts

pytestmark = pytest.mark.usefixtures("postgres")


def _response(status: int, body: str = "", *, message: tuple[int, str] | None = None):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    if message:
        messages.add_message(request, *message)
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response.wsgi_request = request
    if 300 <= status < 400:
        response["Location"] = "/"
    return response


def test_fingerprint_sees_a_changed_row():
    partner = PartnerFactory()
    before = fingerprint()
    Partner.objects.filter(pk=partner.pk).update(city="الدمام")
    after = fingerprint()
    assert [label for label in before if before[label] != after[label]] == ["partners.partner"]


def test_a_rejection_that_changed_the_database_fails():
    with pytest.raises(AssertionError, match="database changed"):
        judge(_response(302, message=(messages.ERROR, "لم يُحفظ شيء")), {"t": "a"}, {"t": "b"})


def test_an_error_without_arabic_text_fails():
    with pytest.raises(AssertionError, match="without an Arabic message"):
        judge(_response(200, '<div class="alert alert-danger">Nothing was saved</div>'), {}, {})
    with pytest.raises(AssertionError, match="without an Arabic message"):
        judge(_response(404, ""), {}, {})


def test_a_silent_answer_fails_unless_allowed():
    with pytest.raises(Silent):
        judge(_response(302), {"t": "a"}, {"t": "a"})
    with pytest.raises(Silent):
        judge(_response(200, "<p>نموذج</p>"), {"t": "a"}, {"t": "a"})
    assert judge(_response(302), {"t": "a"}, {"t": "a"}, silent_ok=True).outcome == "accepted"


def test_a_server_error_fails():
    with pytest.raises(AssertionError, match="server error"):
        judge(_response(500, "<h1>خطأ</h1>"), {}, {})


def test_error_texts_are_read_from_marked_elements_and_headings():
    html = '<h1>الصفحة غير موجودة</h1><ul class="errorlist"><li>هذا الحقل مطلوب.</li></ul><p>نص</p>'
    assert page_error_texts(html) == (["هذا الحقل مطلوب."], ["الصفحة غير موجودة"])
    verdict = judge(_response(200, html), {"t": "a"}, {"t": "a"})
    assert (verdict.outcome, verdict.message) == ("rejected", "هذا الحقل مطلوب.")
