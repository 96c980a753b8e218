"""The sealed agreement reads as written: every word of its text is found whole by pdftotext.

A reader searching the signed PDF for «التدريب» must find it. Amiri's kerning (now off in the
stylesheet) used to split words in the extracted text («خير ية القطيف», «التدر يب»): these
tests render and seal a real agreement (WeasyPrint, pyHanko) and look up every word of what was stored, word by word, in
what pdftotext gives back, in Arabic and in English.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import pytest

from agreements.models import Agreement, ClauseKind, Party, ResponsibleParty
from agreements.pdf.context import PdfInput
from agreements.pdf.render import render_agreement_pdf
from agreements.pdf.seal import seal_pdf
from agreements.pdf.verify import verify_pdf
from partners.models import CharityProfile
from tests.agreements.conftest import make_audit, make_signatures
from tests.conftest import service_missing
from tests.factories import AgreementFactory, ClauseFactory, CommitmentFactory, PartnerFactory

pytestmark = pytest.mark.django_db

# pdftotext marks right-to-left runs with embeddings; the PDF isolates numbers and names.
_FORMATTING = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_PUNCTUATION = ".,،:؛;()«»\"'!?؟-"

CLAUSES = [
    (
        ClauseKind.choices[0][0],
        "تلتزم خيرية القطيف بتقديم الخدمات التأهيلية والتدريبية للمستفيدين من أبناء محافظة القطيف.",
        "Qatif Charity provides qualification and training services to beneficiaries in Qatif governorate.",
        "برنامج التدريب على المهارات الوظيفية",
        "Training programme in job skills",
    ),
    (
        ClauseKind.choices[1][0],
        "يتبادل الطرفان الخبرات وينسقان لتبادل المنافع المجتمعية والخدمات المشتركة.\n"
        "وتشمل الشراكة المشاركة في الملتقيات الوظيفية والفرص التطوعية.",
        "Both parties exchange expertise and coordinate community benefits and shared services.\n"
        "The partnership covers participation in job fairs and volunteering opportunities.",
        "دعم الوظائف وتمكين المواطنين وتهيئتهم لسوق العمل",
        "Employment support: empowering citizens and preparing them for the labour market",
    ),
    (
        ClauseKind.choices[2][0],
        "تنظيم البرامج التوعوية والندوات وورش العمل التوعوية في المسؤولية الاجتماعية وثقافة العمل، "
        "والتعاون في العلاقات العامة والإعلام بالتزام الطرفين.",
        "Awareness programmes, seminars and workshops on social responsibility and work culture, "
        "and cooperation in public relations and media, both parties committed to the terms.",
        "تاريخ التوقيع وتقارير التدريب الدورية",
        "Signing date and periodic training reports",
    ),
]


def words(text: str) -> list[str]:
    """The words of `text`: split on white space, punctuation at either end removed."""
    found = (word.strip(_PUNCTUATION) for word in text.translate(_FORMATTING).split())
    return [word for word in found if word and not re.fullmatch(r"[\W\d_]+", word)]


def extracted_words(pdf: bytes, *, layout: bool) -> set[str]:
    if not shutil.which("pdftotext"):
        service_missing("pdftotext (poppler-utils) is not installed")
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    out = subprocess.run(command, input=pdf, capture_output=True, check=True)
    return set(words(out.stdout.decode()))


@pytest.fixture
def agreement(db) -> Agreement:
    profile = CharityProfile.load()
    profile.name_ar, profile.name_en = "خيرية القطيف", "Qatif Charity"
    profile.chairman_name_ar, profile.chairman_name_en = "أسامة الزاير", "Osama Al-Zayer"
    profile.chairman_title_ar, profile.chairman_title_en = "رئيس مجلس الإدارة", "Chairman of the Board"
    profile.committee_ar = "لجنة التمكين والتنمية المستدامة"
    profile.committee_en = "Empowerment and Sustainable Development Committee"
    profile.save()
    partner = PartnerFactory(
        name_ar="جمعية تنمية الموارد البشرية بسيهات", name_en="Human Resources Development Association in Saihat"
    )
    agreement = AgreementFactory(
        partner=partner,
        title_ar="اتفاقية شراكة في التدريب والتأهيل والفرص الوظيفية",
        title_en="Partnership on training, qualification and job opportunities",
    )
    for order, (kind, text_ar, text_en, commitment_ar, commitment_en) in enumerate(CLAUSES, start=1):
        clause = ClauseFactory(
            agreement=agreement,
            order=order,
            kind=kind,
            text_ar=text_ar,
            text_en=text_en,
            responsible_party=ResponsibleParty.choices[0][0],
        )
        CommitmentFactory(
            clause=clause, party=Party.CHARITY, description_ar=commitment_ar, description_en=commitment_en
        )
    return agreement


SIGNERS = {"ar": ("أسامة الزاير", "سلمان بن عبدالله الممثل"), "en": ("Osama Al-Zayer", "Salman Al-Momathel")}


def stored_text(agreement: Agreement, language: str) -> str:
    """Every user-entered text the PDF prints in `language`: titles, clauses, commitments, names."""
    suffix = "_en" if language == "en" else "_ar"
    profile = CharityProfile.load()
    pieces = [
        getattr(agreement, f"title{suffix}"),
        getattr(agreement.partner, f"name{suffix}"),
        getattr(profile, f"name{suffix}"),
        getattr(profile, f"chairman_title{suffix}"),
        getattr(profile, f"committee{suffix}"),
        *SIGNERS[language],
    ]
    for clause in agreement.clauses.all():
        pieces.append(getattr(clause, f"text{suffix}"))
        pieces += [getattr(commitment, f"description{suffix}") for commitment in clause.commitments.all()]
    return "\n".join(pieces)


def sealed_pdf(agreement: Agreement, language: str) -> bytes:
    charity, partner = SIGNERS[language]
    data = PdfInput.build(
        agreement=agreement,
        signatures=make_signatures(charity_name=charity, partner_name=partner),
        audit=make_audit(),
        content_hash=hashlib.sha256(b"content").hexdigest(),
        verification_url="https://portal.qatif-charity.example/verify/abc/",
        language=language,
    )
    return seal_pdf(render_agreement_pdf(data))


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("layout", [False, True], ids=["reading-order", "layout"])
def test_every_word_of_the_sealed_agreement_is_found_whole_by_pdftotext(agreement, seal_certificate, language, layout):
    pdf = sealed_pdf(agreement, language)
    assert verify_pdf(pdf, expected_sha256=None).seal_valid

    found = extracted_words(pdf, layout=layout)

    expected = words(stored_text(agreement, language))
    assert len(expected) > 80
    missing = [word for word in expected if word not in found]
    assert missing == [], f"words split or lost in the {language} PDF: {missing}"


def test_the_words_amiri_used_to_split_are_searchable(agreement, seal_certificate):
    found = extracted_words(sealed_pdf(agreement, "ar"), layout=False)

    for word in ("خيرية", "القطيف", "التدريب", "تاريخ", "التوقيع", "والتدريبية", "البشرية"):
        assert word in found


def test_sealed_pdf_is_tagged_pdf_a_3b_and_the_seal_still_validates(agreement, seal_certificate, tmp_path):
    if not shutil.which("pdfinfo"):
        service_missing("pdfinfo (poppler-utils) is not installed")
    pdf = sealed_pdf(agreement, "ar")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    metadata = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout

    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    assert re.search(r"pdfaid:part(>|=\")3", metadata) and re.search(r"pdfaid:conformance(>|=\")B", metadata)
    result = verify_pdf(pdf, expected_sha256=None)
    assert result.seal_valid, result.error


BRACKETS = {
    # A line in the document's direction and one against it, each with brackets.
    "ar": ("تقديم دورات (عشر دورات) للمستفيدين", "Training (ten courses) in Qatif"),
    "en": ("Training (ten courses) in Qatif", "تقديم دورات (عشر دورات) للمستفيدين"),
}


@pytest.mark.parametrize("language", ["ar", "en"])
def test_brackets_read_as_written_in_both_directions(agreement, seal_certificate, language):
    """In a right-to-left run a bracket is drawn with the other bracket's glyph; with one font
    for both directions the PDF mapped that glyph to one text, and the brackets of the other
    direction came out reversed when copied: «Training )ten courses( in Qatif»."""
    own, other = BRACKETS[language]
    clause = agreement.clauses.order_by("order").first()
    setattr(clause, "text_en" if language == "en" else "text_ar", f"{own}\n{other}")
    clause.save()

    pdf = sealed_pdf(agreement, language)
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    text = " ".join(out.stdout.decode().translate(_FORMATTING).split())

    assert "Training (ten courses) in Qatif" in text
    assert "(عشر دورات)" in text
    assert ")ten courses(" not in text and ")عشر دورات(" not in text
