"""What you see is what you sign: a text carrying direction controls reads the same everywhere.

One agreement whose clause, commitment and title hold invisible direction controls (stored
around the forms, as an import could), then every place that shows them: the staff page,
the signing page, the partner portal, the signing e-mail and the sealed PDF. Each must show
each control as the same visible marker, in the order the text was typed, and none may obey
one (an obeyed U+202E would print «50 فرص» as «05»).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from agreements.lifecycle import transition
from agreements.models import Agreement, Clause, Commitment, SignedPdf
from tests.agreements.signing_helpers import open_link, sign_post, token_sent_to
from tests.factories import ContactFactory, PartnerUserFactory, StaffFactory, agreement_with_clauses

pytestmark = pytest.mark.django_db

ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "same-everywhere-ar.pdf"

RLO, PDF_, RLM = "\u202e", "\u202c", "\u200f"
CLAUSE = f"يوفر الطرف الثاني {RLO}50 فرص{PDF_} تدريب سنويًا."
COMMITMENT = f"تدريب {RLM}20 متدربًا"
TITLE = f"اتفاقية {RLO}الأولى{PDF_} للتدريب"
# What every reader must see: the marker, then the characters in the order they were typed.
SEEN_CLAUSE = "يوفر الطرف الثاني [U+202E]50 فرص[U+202C] تدريب سنويًا."
SEEN_COMMITMENT = "تدريب [U+200F]20 متدربًا"
SEEN_TITLE = "اتفاقية [U+202E]الأولى[U+202C] للتدريب"
# Formatting the portal adds around markers and values: isolates, which show nothing.
_ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))
# What pdftotext wraps around right-to-left and left-to-right runs.
_EMBEDDINGS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u2066\u2067\u2068\u2069"))


def visible(markup: str) -> str:
    """The text a reader sees in an HTML page: tags and isolates gone, spaces collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).translate(_ISOLATES)
    return " ".join(text.split())


def assert_shown(surface: str, text: str, *expected: str) -> None:
    for seen in expected:
        assert seen in text, f"{surface} does not show {seen!r}"
    for control in (RLO, PDF_, RLM):
        assert control not in text, f"{surface} obeys a hidden {control!r} instead of showing it"


@pytest.fixture
def hostile_agreement(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = agreement_with_clauses(clauses=1)
    clause = agreement.clauses.get()
    Clause.objects.filter(pk=clause.pk).update(text_ar=CLAUSE)
    Commitment.objects.filter(clause=clause).update(description_ar=COMMITMENT)
    Agreement.objects.filter(pk=agreement.pk).update(title_ar=TITLE)
    agreement.refresh_from_db()
    contact = ContactFactory(partner=agreement.partner, name_ar="ممثل الشريك", email="rep@partner.example")
    chairman = StaffFactory(email="chair@charity.example")
    with TestCase.captureOnCommitCallbacks(execute=True):
        agreement = transition(
            agreement,
            "send_for_signature",
            by=StaffFactory(),
            signatories=[
                {"party": "charity", "name": "أسامة الزاير", "email": chairman.email, "user": chairman},
                {"party": "partner", "contact": contact, "name": contact.name_ar, "email": contact.email},
            ],
        )
    return agreement, chairman


def test_the_same_hostile_text_reads_the_same_on_every_page_the_email_and_the_pdf(hostile_agreement, pdf_pages):
    agreement, chairman = hostile_agreement
    staff = Client()
    staff.force_login(StaffFactory())
    page = visible(staff.get(reverse("agreements:detail", args=[agreement.reference])).content.decode())
    assert_shown("the staff agreement page", page, SEEN_CLAUSE, SEEN_COMMITMENT, SEEN_TITLE)

    signer = Client()
    open_link(signer, token_sent_to("rep@partner.example"))
    signing_page = visible(signer.get(reverse("signing:page")).content.decode())
    assert_shown("the signing page", signing_page, SEEN_CLAUSE, SEEN_COMMITMENT, SEEN_TITLE)

    partner = Client()
    partner.force_login(PartnerUserFactory(partner=agreement.partner))
    portal = visible(partner.get(reverse("portal:agreement", args=[agreement.reference])).content.decode())
    assert_shown("the partner portal", portal, SEEN_CLAUSE, SEEN_COMMITMENT, SEEN_TITLE)

    invitation = next(m for m in mail.outbox if m.to == ["rep@partner.example"] and "/sign/" in m.body)
    assert_shown("the signing e-mail", " ".join(invitation.body.translate(_ISOLATES).split()), SEEN_TITLE)
    html_part = visible(invitation.alternatives[0][0])
    assert_shown("the signing e-mail's HTML", html_part, SEEN_TITLE)

    # Both sign; the sealed PDF is made in-process.
    signer.post(reverse("signing:page"), sign_post(agreement.content_hash))
    chair = Client()
    chair.force_login(chairman)
    with TestCase.captureOnCommitCallbacks(execute=True):
        chair.post(
            reverse("agreements:sign", args=[agreement.reference]),
            sign_post(agreement.content_hash, name="أسامة الزاير", method="typed", drawn="", typed="أسامة الزاير"),
        )
    pdf = SignedPdf.objects.get(agreement=agreement, language="ar")
    data = pdf.file.read()
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_bytes(data)  # to look at: pdftoppm -png -r 70 -f 2 -l 2
    text = " ".join(" ".join(pdf_pages(data, raw=False)).translate(_EMBEDDINGS).split())
    # pdftotext puts mixed left-to-right and Arabic runs of one line in an order of its own
    # (`] 50[U+202E فرص]`), so the PDF is checked piece by piece: each marker is printed, the
    # number reads 50 (an obeyed U+202E would draw it as 05), the words are whole.
    for label in ("[U+202E", "U+202C]", "[U+200F"):
        assert label.strip("[]") in text, f"the sealed PDF does not show the marker {label}"
    assert_shown("the sealed PDF", text, "50", "فرص", "20", "متدر", "الأولى", "للتدريب")
    # Times and dates the certificate page prints (17:58:05, 2026-12-07, +0300) are not the number.
    numbers = re.sub(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(:\d{2})?|[+-]\d{4}|QC-\d{4}-\d{4}", " ", text)
    assert not re.search(r"(?<!\d)05(?!\d)", numbers), "an obeyed override reversed a number"
